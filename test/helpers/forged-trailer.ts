/**
 * The check script of issue 32's forgery, for the unit test (on this host) and the integration
 * test (through a real exec): read the wrapper's per-run marker from /proc/<wrapper>/cmdline,
 * stop the watchdog, write a trailer saying 0 to the exec's output, and kill the wrapper before
 * it prints its own. It prints `forging <marker>` first, so a test can see the marker was found.
 */
export const FORGED_TRAILER_SCRIPT = [
  'm=$(tr "\\0" "\\n" < /proc/$PPID/cmdline | grep -x "__labforge_check_[0-9a-f]*__" | head -n 1)',
  'for c in $(pgrep -P $PPID); do [ "$c" = $$ ] || kill -KILL "$c"; done',
  'echo "forging $m"',
  'printf "\\n%s 0\\n" "$m"',
  'kill -KILL $PPID',
  'exit 1',
].join('; ');

/** What the script prints before its forged trailer. */
export const FORGING_LINE = /^forging __labforge_check_[0-9a-f]{24}__\n$/;
