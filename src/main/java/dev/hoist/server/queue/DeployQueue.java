package dev.hoist.server.queue;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * One deploy at a time per project. Requests that arrive while one runs coalesce into a single
 * waiting slot: the newest wins and the one it replaces is reported superseded, so two quick pushes
 * deploy once, the newest. Projects run independently of each other.
 */
public final class DeployQueue {
  private final Executor executor;
  private final Deployer deployer;
  private final QueueListener listener;
  private final Map<String, Slots> projects = new HashMap<>();

  /** The running request and the one waiting behind it, per project. */
  private static final class Slots {
    DeployRequest running;
    DeployRequest waiting;
  }

  /**
   * @param executor runs each project's deploys (one task per busy spell of a project)
   */
  public DeployQueue(Executor executor, Deployer deployer, QueueListener listener) {
    this.executor = executor;
    this.deployer = deployer;
    this.listener = listener;
  }

  /** Starts {@code request}, or puts it in its project's waiting slot. */
  public Admission submit(DeployRequest request) {
    boolean start;
    DeployRequest superseded = null;
    synchronized (this) {
      Slots slots = projects.computeIfAbsent(request.project(), p -> new Slots());
      if (same(slots.running, request) || same(slots.waiting, request)) {
        return Admission.ALREADY_THERE;
      }
      start = slots.running == null;
      if (start) {
        slots.running = request;
      } else {
        superseded = slots.waiting;
        slots.waiting = request;
      }
    }
    if (start) {
      listener.started(request);
      executor.execute(() -> drain(request));
      return Admission.STARTED;
    }
    if (superseded != null) {
      listener.superseded(superseded, request);
    }
    listener.queued(request);
    return Admission.QUEUED;
  }

  /** The request deploying now for {@code project}. */
  public synchronized Optional<DeployRequest> running(String project) {
    return Optional.ofNullable(projects.get(project)).map(s -> s.running);
  }

  /** The request waiting for {@code project}. */
  public synchronized Optional<DeployRequest> waiting(String project) {
    return Optional.ofNullable(projects.get(project)).map(s -> s.waiting);
  }

  /** How many requests wait, over all projects (for /metrics). */
  public synchronized int waitingCount() {
    return (int) projects.values().stream().filter(s -> s.waiting != null).count();
  }

  private void drain(DeployRequest first) {
    DeployRequest request = first;
    while (request != null) {
      try {
        deployer.deploy(request);
        listener.finished(request);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        listener.failed(request, e);
      } catch (Exception e) {
        listener.failed(request, e);
      }
      request = next(request.project());
      if (request != null) {
        listener.started(request);
      }
    }
  }

  private synchronized DeployRequest next(String project) {
    Slots slots = projects.get(project);
    slots.running = slots.waiting;
    slots.waiting = null;
    return slots.running;
  }

  /** Two requests the queue takes for one: the same kind, of the same commit (null: the head). */
  private static boolean same(DeployRequest held, DeployRequest request) {
    return held != null
        && held.kind() == request.kind()
        && Objects.equals(held.commit(), request.commit());
  }
}
