# Sourced by ./hoist and ./test: sets JAVA_HOME to a JDK 21 or newer, or explains and exits 3.
# The JDK's release file says its version without starting a JVM (~50 ms each time); asking java
# itself is the fallback for a JDK without one.
java_major() {
  local v=""
  [ -f "$1/release" ] && v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release")
  [ -n "$v" ] || v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  echo "$v"
}

find_jdk() {
  local candidates=() c v
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  candidates+=(/usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64)
  for c in /usr/lib/jvm/*; do candidates+=("$c"); done
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for c in "${candidates[@]}"; do
    if [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ]; then
      v=$(java_major "$c"); v=${v%%.*}
      if [ -n "$v" ] && [ "$v" -ge 21 ] 2>/dev/null; then echo "$c $v"; return 0; fi
    fi
  done
  return 1
}

if ! found=$(find_jdk); then
  echo "hoist: no JDK 21 or newer found (looked at \$JAVA_HOME, /usr/lib/jvm/*, and java on PATH)." >&2
  echo "hoist: install one (e.g. apt-get install openjdk-21-jdk-headless where available) or set JAVA_HOME." >&2
  exit 3
fi
JAVA_HOME=${found% *}
JAVA_MAJOR=${found##* }
export JAVA_HOME
# Maven on JDK 24+ warns about sun.misc.Unsafe in its own libraries; the flag exists only there.
if [ "$JAVA_MAJOR" -ge 24 ]; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
