# Sourced by ./kanna and ./test: sets KANNA_JAVA_HOME to a JDK 25 or newer, or exits with one line.
# Order: $JAVA_HOME when it is 25+, then JDKs installed under the usual folders, then `java` on PATH.

kanna_java_major() {  # prints the feature version of the java binary given, or nothing
  # the JDK's release file says it without starting a JVM (a JVM start per candidate cost ~0.3 s)
  local release="$(dirname "$(dirname "$1")")/release" v
  if [ -f "$release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release" | head -n 1)
    [ -n "$v" ] && { echo "$v"; return; }
  fi
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

kanna_find_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
                   "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(kanna_java_major "$candidate/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      KANNA_JAVA_HOME=$candidate
      return 0
    fi
  done
  echo "kanna: no JDK 25 or newer found (looked at JAVA_HOME, /usr/lib/jvm, /opt); install a JDK 25, e.g. Temurin 25, and set JAVA_HOME to it" >&2
  exit 2
}

kanna_find_jdk
export JAVA_HOME=$KANNA_JAVA_HOME
