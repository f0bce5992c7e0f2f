#!/usr/bin/env bash
# Fetches Apache Kafka (the jars of kafka_2.13 and a log4j2 backend, listed in
# pom.xml beside this script) from Maven Central into
#   <repo>/.cache/apache-kafka/<kafka version>/libs
# and prints that folder. Used by `npm run test:kafka`, `bifrost broker --apache`
# and `npm run bench -- --kafka apache`.
#
# Idempotent and cached: does nothing when the jars are newer than pom.xml and
# this script. Safe to run concurrently (flock).
#
# Needs: java (17+) to run the broker and mvn to fetch it;
# on Debian: apt-get install openjdk-17-jre-headless maven
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
POM="$HERE/pom.xml"
VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM")
CACHE="$ROOT/.cache/apache-kafka"
LIBS="$CACHE/$VERSION/libs"
DONE="$CACHE/$VERSION/.fetched"

log() { echo "apache-kafka fetch: $*" >&2; }

fresh() { [[ -f "$DONE" && "$DONE" -nt "$POM" && "$DONE" -nt "${BASH_SOURCE[0]}" ]]; }

for tool in java mvn; do
  command -v "$tool" >/dev/null || {
    log "needs $tool to run Apache Kafka (Debian: apt-get install openjdk-17-jre-headless maven)"
    exit 1
  }
done

if fresh; then echo "$LIBS"; exit 0; fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
if fresh; then echo "$LIBS"; exit 0; fi # another process fetched it meanwhile

start=$SECONDS
log "first run: fetching Apache Kafka $VERSION from Maven Central (~45 MB of jars); usually 30-90 s, cached in .cache/apache-kafka afterwards"
log "mvn copy-dependencies kafka_2.13:$VERSION -> $LIBS"
rm -rf "$LIBS" && mkdir -p "$LIBS"
# The plugin version is pinned: an unpinned goal resolves "latest" from Central on every run.
mvn -q -B -f "$POM" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$LIBS" >"$CACHE/mvn.txt" 2>&1 \
  || { tail -30 "$CACHE/mvn.txt" >&2; exit 1; }
[[ -f "$LIBS/kafka_2.13-$VERSION.jar" ]] || { log "kafka_2.13-$VERSION.jar missing after mvn"; exit 1; }
touch "$DONE"
log "done in $((SECONDS - start))s"
echo "$LIBS"
