# Shared by the scripts: find a JDK 25 and build what is stale. Source it; do not run it.

# Sets JAVA_HOME to a JDK 25, or explains how to get one and exits. With JAVA_TOOL_OPTIONS set (a private CA's
# trust store, a proxy), every JVM first prints "Picked up JAVA_TOOL_OPTIONS: ...": that line is not the version.
errand_find_jdk() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/java-25-* /usr/lib/jvm/jdk-25* \
      /Library/Java/JavaVirtualMachines/*25*/Contents/Home "$HOME"/.sdkman/candidates/java/25* "$HOME"/.jdks/*25*; do
    if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] \
        && "$candidate/bin/java" -version 2>&1 | grep -v '^Picked up ' | head -1 | grep -Eq 'version "25([."]|$)'; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "Errand needs a JDK 25 (the Lambda runtime is java25). Install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  exit 1
}

# Maven quietly, without the JDK 25 warnings Maven's own libraries cause.
errand_mvn() {
  command -v mvn >/dev/null 2>&1 || { echo "Errand builds with Maven 3.8 or newer: install it (apt install maven, brew install maven)." >&2; exit 1; }
  MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED" mvn -B "$@"
}

# Builds the jars unless the last build is newer than every main source, resource (the console's pages) and pom.
errand_build_if_stale() {
  local marker="local/target/.built"
  if [ ! -f "$marker" ] || [ -n "$(find pom.xml functions local emulators testkit cli -newer "$marker" \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) \
        -not -path '*/target/*' -not -path '*/src/test/*' 2>/dev/null | head -1)" ]; then
    echo "Building (mvn package, tests skipped; scripts/test.sh runs them)..."
    errand_mvn -q package -DskipTests
    touch "$marker"
  fi
}
