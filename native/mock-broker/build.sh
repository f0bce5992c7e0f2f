#!/usr/bin/env bash
# Builds the Kafka test broker (librdkafka mock cluster) into
#   <repo>/.cache/mock-broker/bin/mock-broker
# librdkafka's C source is taken from the npm tarball of
# @confluentinc/kafka-javascript (npm is the only registry reachable in CI),
# packed, not installed: we need its deps/ folder, not its native addon.
#
# Idempotent and cached: does nothing when the binary is newer than
# mock_broker.c and this script. Safe to run concurrently (flock), since
# parallel test files may all ask for the broker at once.
#
# Needs: bash, npm, tar, gzip, flock (util-linux), gcc, make, libc6-dev;
# on Debian: apt-get install gcc libc6-dev make. g++ and python3 are optional
# (configure wants a C++ compiler but only the C library is built; python3
# only generates the shared library's linker script). No ssl/sasl/zlib/zstd/
# curl dev packages: those features are disabled.
set -euo pipefail

KJS_VERSION=1.10.1 # @confluentinc/kafka-javascript -> librdkafka 2.15.1

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CACHE="$ROOT/.cache/mock-broker"
SRC="$HERE/mock_broker.c"
BIN="$CACHE/bin/mock-broker"
TGZ="$CACHE/confluentinc-kafka-javascript-$KJS_VERSION.tgz"
RDK="$CACHE/librdkafka-kjs-$KJS_VERSION"
JOBS=${JOBS:-2}

log() { echo "mock-broker build: $*" >&2; }

fresh() { [[ -x "$BIN" && "$BIN" -nt "$SRC" && "$BIN" -nt "${BASH_SOURCE[0]}" ]]; }

if fresh; then echo "$BIN"; exit 0; fi

for tool in "${CC:-gcc}" make; do
  command -v "$tool" >/dev/null || { log "needs $tool to build the test broker (Debian: apt-get install gcc libc6-dev make)"; exit 1; }
done

mkdir -p "$CACHE/bin"
exec 9>"$CACHE/.lock"
flock 9
if fresh; then echo "$BIN"; exit 0; fi # another process built it meanwhile

start=$SECONDS
log "first run: building the Kafka test broker from librdkafka's C source; usually 1-3 minutes on two cores, cached in .cache/mock-broker afterwards"

if [[ ! -s "$TGZ" ]]; then
  log "npm pack @confluentinc/kafka-javascript@$KJS_VERSION"
  tmp=$(mktemp -d "$CACHE/pack.XXXXXX")
  (cd "$tmp" && npm pack --silent "@confluentinc/kafka-javascript@$KJS_VERSION" >/dev/null)
  mv "$tmp"/confluentinc-kafka-javascript-*.tgz "$TGZ"
  rm -rf "$tmp"
fi

if [[ ! -f "$RDK/.extracted" ]]; then
  log "extracting librdkafka"
  rm -rf "$RDK" && mkdir -p "$RDK"
  tar -xzf "$TGZ" -C "$RDK" --strip-components=3 package/deps/librdkafka
  touch "$RDK/.extracted"
fi

if [[ ! -f "$RDK/Makefile.config" ]]; then
  log "configuring librdkafka"
  cxx=()
  command -v "${CXX:-g++}" >/dev/null || cxx=(--cxx="${CC:-gcc}")
  # Everything that needs an external -dev package is off; lz4/regex use the
  # bundled copies. --no-download: mklove must not fetch modules.
  # The log lives outside $RDK: mklove loads any ./configure.* as a module.
  (cd "$RDK" && ./configure --no-download --disable-ssl --disable-gssapi \
      --disable-curl --disable-zstd --disable-zlib --disable-lz4-ext \
      --disable-regex-ext --disable-syslog "${cxx[@]}" >"$CACHE/configure.txt" 2>&1) \
    || { tail -30 "$CACHE/configure.txt" >&2; rm -f "$RDK/Makefile.config"; exit 1; }
fi

if [[ ! -f "$RDK/src/librdkafka.a" ]]; then
  log "compiling librdkafka.a (-j$JOBS, ~1 min)"
  make -j"$JOBS" -C "$RDK/src" librdkafka.a >"$CACHE/make.txt" 2>&1 \
    || { tail -30 "$CACHE/make.txt" >&2; exit 1; }
  # Only librdkafka.a is used from here on; halves the cache (~110 -> ~55 MB)
  find "$RDK/src" -name '*.o' -delete
  rm -f "$RDK/src/librdkafka-dbg.a"
fi

log "linking $BIN"
# --wrap=bind: see __wrap_bind in mock_broker.c (fixed --port support).
${CC:-gcc} -O2 -Wall -I"$RDK/src" -o "$BIN.tmp" "$SRC" "$RDK/src/librdkafka.a" \
  -Wl,--wrap=bind -lpthread -lm -ldl -lrt
mv "$BIN.tmp" "$BIN"
log "done in $((SECONDS - start))s"
echo "$BIN"
