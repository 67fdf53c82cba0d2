# The native part of `amtwatch live`: a Node-API binding to libpcap derived from cap 0.2.1
# (src/io/native/amtwatch_pcap.c; licence in src/io/native/LICENSE.cap). Built at `npm ci` by
# src/io/native/build.mjs (package.json "install"), or by hand: npm run build:addon.
# Links against libpcap at build time (Debian: libpcap-dev), so the addon loads the versioned
# libpcap.so.0.8 at run time; nothing is dlopen'ed.
{
  'targets': [
    {
      'target_name': 'amtwatch_pcap',
      'sources': ['src/io/native/amtwatch_pcap.c'],
      'defines': ['NAPI_DISABLE_CPP_EXCEPTIONS'],
      'cflags': ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Wno-unused-parameter'],
      'link_settings': {
        'libraries': ['-lpcap'],
      },
    },
  ],
}
