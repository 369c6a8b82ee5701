package dev.hoist.stack;

/**
 * Whether a node runs the app's scheduled jobs: the environment's first worker node (else its first
 * web node) does; the others have them removed. A stack built for a command that does not know the
 * environment's nodes (a TLS renewal, status) leaves the jobs as they are.
 */
public enum CronPlacement {
  HERE,
  ELSEWHERE,
  UNMANAGED
}
