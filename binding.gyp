# The native parts of amtwatch, built at `npm ci` by src/io/native/build.mjs (package.json
# "install"), or by hand: npm run build:addon.
#  - amtwatch_pcap: the libpcap binding behind `amtwatch live`, derived from cap 0.2.1
#    (src/io/native/amtwatch_pcap.c; licence in src/io/native/LICENSE.cap). Links against libpcap
#    at build time (Debian: libpcap-dev), so the addon loads the versioned libpcap.so.0.8 at run
#    time; nothing is dlopen'ed.
#  - amtwatch_read: the offline prefilter of `amtwatch read` (src/io/native/amtwatch_read.c): no
#    libpcap, only pthreads. Optional: without it `read` does the same work in JavaScript.
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
    {
      'target_name': 'amtwatch_read',
      'sources': ['src/io/native/amtwatch_read.c'],
      'defines': ['NAPI_DISABLE_CPP_EXCEPTIONS'],
      'cflags': ['-std=gnu11', '-O2', '-pthread', '-Wall', '-Wextra', '-Wno-unused-parameter'],
      'link_settings': {
        'libraries': ['-pthread'],
      },
    },
  ],
}
