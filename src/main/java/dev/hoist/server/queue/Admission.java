package dev.hoist.server.queue;

/** What the queue did with a submitted request. */
public enum Admission {
  /** Nothing else ran for the project: it starts now. */
  STARTED,
  /** It waits for the running deploy; a request that waited before it is superseded. */
  QUEUED,
  /** The same commit is already running or waiting: nothing new to do. */
  ALREADY_THERE
}
