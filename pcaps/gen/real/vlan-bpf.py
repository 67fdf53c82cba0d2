#!/usr/bin/env python3
"""Attach an 802.1Q push (egress) / pop (ingress) pair to one interface with tc + eBPF.

Why: this kernel has no 8021q module (CONFIG_VLAN_8021Q is not set) and no
act_vlan, so a VLAN sub-interface cannot be created. cls_bpf in direct-action
mode with the bpf_skb_vlan_push/pop helpers gives the same wire result: the
host's frames leave its veth tagged with VID <vid> and only frames tagged with
VID <vid> are accepted (and untagged) on the way in.

The two tiny programs are assembled here by hand (no clang needed), loaded
with the bpf(2) syscall, pinned in a private bpffs mount and attached with
`tc filter ... bpf da object-pinned`. Run it inside the host's namespace:

    ip netns exec NS python3 vlan-bpf.py IFACE VID

`ip netns exec` already gives the process its own mount namespace, so the
bpffs mount disappears when the script exits; tc keeps the programs alive.
"""
import ctypes, os, struct, subprocess, sys, tempfile

SYS_bpf = 321  # x86_64
BPF_PROG_LOAD, BPF_OBJ_PIN = 5, 6
BPF_PROG_TYPE_SCHED_CLS = 3
HELPER_SKB_VLAN_PUSH, HELPER_SKB_VLAN_POP = 18, 19
TC_ACT_OK, TC_ACT_SHOT = 0, 2
OFF_VLAN_PRESENT, OFF_VLAN_TCI = 20, 24  # struct __sk_buff

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def insn(code, dst=0, src=0, off=0, imm=0):
    return struct.pack('<BBhi', code, (src << 4) | dst, off, imm)


MOV64_X, MOV64_K, AND64_K = 0xbf, 0xb7, 0x57
LDXW, JEQ_K, JNE_K, CALL, EXIT = 0x61, 0x15, 0x55, 0x85, 0x95


def push_prog(vid):
    # r1 = skb; bpf_skb_vlan_push(skb, htons(ETH_P_8021Q), vid); return TC_ACT_OK
    return b''.join([
        insn(MOV64_K, dst=2, imm=0x0081),        # htons(0x8100) on little-endian
        insn(MOV64_K, dst=3, imm=vid),
        insn(CALL, imm=HELPER_SKB_VLAN_PUSH),
        insn(MOV64_K, dst=0, imm=TC_ACT_OK),
        insn(EXIT),
    ])


def pop_prog(vid):
    # if (!skb->vlan_present || (skb->vlan_tci & 0xfff) != vid) return TC_ACT_SHOT;
    # bpf_skb_vlan_pop(skb); return TC_ACT_OK
    return b''.join([
        insn(LDXW, dst=2, src=1, off=OFF_VLAN_PRESENT),
        insn(JEQ_K, dst=2, off=6, imm=0),        # -> drop
        insn(LDXW, dst=3, src=1, off=OFF_VLAN_TCI),
        insn(AND64_K, dst=3, imm=0xfff),
        insn(JNE_K, dst=3, off=3, imm=vid),      # -> drop
        insn(CALL, imm=HELPER_SKB_VLAN_POP),
        insn(MOV64_K, dst=0, imm=TC_ACT_OK),
        insn(EXIT),
        insn(MOV64_K, dst=0, imm=TC_ACT_SHOT),   # drop:
        insn(EXIT),
    ])


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)
    fd = libc.syscall(SYS_bpf, cmd, buf, 128)
    if fd < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return fd


def load(code, name):
    lic = ctypes.create_string_buffer(b'GPL')
    log = ctypes.create_string_buffer(65536)
    prog = ctypes.create_string_buffer(code, len(code))
    attr = struct.pack('<IIQQIIQII16s', BPF_PROG_TYPE_SCHED_CLS, len(code) // 8,
                       ctypes.addressof(prog), ctypes.addressof(lic), 1, len(log),
                       ctypes.addressof(log), 0, 0, name.encode()[:15])
    try:
        return bpf(BPF_PROG_LOAD, attr)
    except OSError:
        sys.stderr.write(log.value.decode(errors='replace'))
        raise


def pin(fd, path):
    p = ctypes.create_string_buffer(path.encode())
    bpf(BPF_OBJ_PIN, struct.pack('<QII', ctypes.addressof(p), fd, 0))


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: vlan-bpf.py IFACE VID')
    ifname, vid = sys.argv[1], int(sys.argv[2])
    d = tempfile.mkdtemp(prefix='amtw-bpffs-')
    subprocess.run(['mount', '-t', 'bpf', 'bpf', d], check=True)
    try:
        pin(load(push_prog(vid), 'amtw_vlan_push'), d + '/push')
        pin(load(pop_prog(vid), 'amtw_vlan_pop'), d + '/pop')
        subprocess.run(['tc', 'qdisc', 'replace', 'dev', ifname, 'clsact'], check=True)
        subprocess.run(['tc', 'filter', 'replace', 'dev', ifname, 'egress', 'bpf', 'da',
                        'object-pinned', d + '/push'], check=True)
        subprocess.run(['tc', 'filter', 'replace', 'dev', ifname, 'ingress', 'bpf', 'da',
                        'object-pinned', d + '/pop'], check=True)
    finally:
        subprocess.run(['umount', d])
        os.rmdir(d)


if __name__ == '__main__':
    main()
