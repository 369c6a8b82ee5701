# Sourced by the bench scripts: times a snapshot of hoist, not the working tree others may edit.
# Needs $repo, $tmp and the caller's log and die functions.
#
#   hoist_snapshot DIR   builds ./hoist if the sources changed, copies the launcher and the jar
#                        into DIR, warms it up (not timed), and sets HOIST, hoist_commit, jar_sha.
#                        With HOIST already set, times that launcher instead.
hoist_snapshot() {
  local snap=$1
  if [ -z "${HOIST:-}" ]; then
    if ! "$repo/hoist" --version >/dev/null 2>"$tmp/build.log"; then
      [ -f "$repo/target/hoist.jar" ] || { cat "$tmp/build.log" >&2; die "./hoist cannot build its jar"; }
      log "warning: ./hoist --version failed (build of the current sources?); timing the existing target/hoist.jar"
    fi
    mkdir -p "$snap/target"
    for f in "$repo"/*; do
      case ${f##*/} in src|target|test|bench|docs|pom.xml) continue ;; esac
      cp -a "$f" "$snap/"
    done
    cp -a "$repo/target/hoist.jar" "$snap/target/hoist.jar"
    HOIST="$snap/hoist"
    # The first use records the launcher's class-data cache for this copy: not timed.
    "$HOIST" --version >/dev/null 2>"$tmp/warmup.log" || { cat "$tmp/warmup.log" >&2; die "the hoist snapshot does not start"; }
    [ ! -d "$snap/src" ] || die "snapshot has sources"
  fi
  # What the snapshot was built from: HEAD now, plus whether src/ had uncommitted changes (others edit it).
  hoist_commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"
  [ -z "$(git -C "$repo" status --porcelain -- src pom.xml 2>/dev/null)" ] || hoist_commit="$hoist_commit + uncommitted src/ changes"
  jar_sha=$(sha256sum "$(dirname "$HOIST")/target/hoist.jar" 2>/dev/null | cut -c1-12 || echo '?')
}
