package dev.hoist.server.run;

import dev.hoist.server.ProjectConfig;
import dev.hoist.server.ServerConfig;
import dev.hoist.server.history.DeployRecord;
import dev.hoist.server.history.DeployStatus;
import dev.hoist.server.history.History;
import dev.hoist.server.history.NodeOutcome;
import dev.hoist.server.queue.Admission;
import dev.hoist.server.queue.DeployQueue;
import dev.hoist.server.queue.DeployRequest;
import dev.hoist.server.queue.QueueListener;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The server's deploys: each request is written to the history, handed to the per-project queue,
 * and run through the pipeline, one at a time per environment, its progress logged to the history
 * line by line. After each deploy that ran, {@code finished} is told (the notifier).
 */
public final class Deploys implements QueueListener {
  private final ServerConfig config;
  private final History history;
  private final Pipeline pipeline;
  private final Metrics metrics;
  private final Consumer<DeployRecord> finished;
  private final Signal signal = new Signal();
  private final DeployQueue queue;
  // Each request's deploy id. An ended request is kept until its project starts another: until
  // then the queue may still hold it as running, and a submit of the same commit is answered with
  // it.
  private final Map<DeployRequest, Long> ids = new IdentityHashMap<>();
  private final Set<DeployRequest> ended = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Map<String, ReentrantLock> environments = new ConcurrentHashMap<>();

  /** What became of a submitted request: the deploy that serves it, and whether it is new. */
  public record Submitted(long id, Admission admission) {}

  /**
   * @param executor runs the deploys (one task per busy spell of a project)
   * @param finished told about each deploy that ran, once it ended (succeeded or failed)
   */
  public Deploys(
      ServerConfig config,
      History history,
      Pipeline pipeline,
      Metrics metrics,
      Executor executor,
      Consumer<DeployRecord> finished) {
    this.config = config;
    this.history = history;
    this.pipeline = pipeline;
    this.metrics = metrics;
    this.finished = finished;
    this.queue = new DeployQueue(executor, this::run, this);
  }

  /**
   * Records {@code request} and queues it; a request for what already runs or waits is answered
   * with that deploy's id and recorded nowhere.
   */
  public synchronized Submitted submit(DeployRequest request) {
    if (!config.projects().containsKey(request.project())) {
      throw new IllegalArgumentException("no project " + request.project());
    }
    Optional<Long> there =
        same(queue.running(request.project()), request)
            .or(() -> same(queue.waiting(request.project()), request));
    if (there.isPresent()) {
      return new Submitted(there.get(), Admission.ALREADY_THERE);
    }
    long id = history.queued(request);
    ids.put(request, id);
    return new Submitted(id, queue.submit(request));
  }

  /** Wakes the log streams whenever a deploy writes or changes. */
  public Signal signal() {
    return signal;
  }

  /** How many deploys wait for {@code project} (0 or 1: waiting pushes coalesce). */
  public int waiting(String project) {
    return queue.waiting(project).isPresent() ? 1 : 0;
  }

  @Override
  public void started(DeployRequest request) {
    synchronized (this) {
      ended.removeIf(
          r -> {
            boolean stale = r.project().equals(request.project());
            if (stale) {
              ids.remove(r);
            }
            return stale;
          });
    }
    history.started(id(request));
    signal.bump();
  }

  @Override
  public void superseded(DeployRequest skipped, DeployRequest newer) {
    long id = id(skipped);
    history.superseded(id, id(newer));
    history.log(id, "superseded by a newer request before it started");
    synchronized (this) {
      ids.remove(skipped);
    }
    metrics.deploy(skipped.project(), DeployStatus.SUPERSEDED.word());
    signal.bump();
  }

  @Override
  public void failed(DeployRequest request, Exception error) {
    // run() records every outcome itself; only an interrupt (a server stop) gets here.
    if (error instanceof InterruptedException) {
      long id = id(request);
      history.log(id, "the server stopped during the deploy");
      history.interrupted(id, "the server stopped during the deploy");
      metrics.deploy(request.project(), DeployStatus.INTERRUPTED.word());
      ended(request);
      signal.bump();
    }
  }

  private void run(DeployRequest request) throws InterruptedException {
    long id = id(request);
    ProjectConfig project = config.projects().get(request.project());
    Pipeline.Log log = new HistoryLog(id);
    ReentrantLock environment =
        environments.computeIfAbsent(environment(project), k -> new ReentrantLock());
    if (!environment.tryLock()) {
      log.line("waiting for another deploy of the same environment to end");
      environment.lockInterruptibly();
    }
    long start = System.nanoTime();
    try {
      Pipeline.Result result =
          request.kind() == DeployRequest.Kind.ROLLBACK
              ? pipeline.rollback(project, log)
              : pipeline.deploy(project, request, log);
      if (result.commit() != null && !result.commit().equals(request.commit())) {
        history.resolved(id, result.commit());
      }
      log.line(request.kind().word() + " succeeded: release " + result.release());
      end(request, id, DeployStatus.SUCCEEDED, Optional.empty(), start);
    } catch (Pipeline.Failure e) {
      String error = e.phase() + " failed: " + e.getMessage();
      log.line(error);
      end(request, id, DeployStatus.FAILED, Optional.of(error), start);
    } catch (RuntimeException e) {
      String error = "the server failed: " + e;
      log.line(error);
      end(request, id, DeployStatus.FAILED, Optional.of(error), start);
    } finally {
      environment.unlock();
    }
  }

  private void end(
      DeployRequest request, long id, DeployStatus status, Optional<String> error, long start) {
    history.finished(id, status, error);
    metrics.deploy(request.project(), status.word());
    metrics.duration(Duration.ofNanos(System.nanoTime() - start));
    ended(request);
    signal.bump();
    history.deploy(id).ifPresent(finished);
  }

  /**
   * The lock key of an environment: its project's repo and env name, since two projects of
   * server.yml may deploy one repo's environment (e.g. two branches to one env).
   */
  private static String environment(ProjectConfig project) {
    return project.repo() + "\n" + project.env().orElse("");
  }

  private Optional<Long> same(Optional<DeployRequest> held, DeployRequest request) {
    return held.filter(
            h -> h.kind() == request.kind() && Objects.equals(h.commit(), request.commit()))
        .map(this::id);
  }

  private synchronized long id(DeployRequest request) {
    Long id = ids.get(request);
    if (id == null) {
      throw new IllegalStateException("a request the server did not record: " + request);
    }
    return id;
  }

  private synchronized void ended(DeployRequest request) {
    ended.add(request);
  }

  /** The pipeline's progress, into the history, waking the log streams. */
  private final class HistoryLog implements Pipeline.Log {
    private final long id;

    HistoryLog(long id) {
      this.id = id;
    }

    @Override
    public void line(String text) {
      history.log(id, text);
      signal.bump();
    }

    @Override
    public void phase(String phase, Duration took) {
      history.phase(id, phase, took);
      history.log(id, phase + " took " + took.toMillis() + " ms");
      signal.bump();
    }

    @Override
    public void node(String node, String outcome, String release) {
      history.nodeOutcome(
          id, new NodeOutcome(node, outcome, Optional.ofNullable(release), outcome));
      history.log(id, node + ": " + outcome + (release == null ? "" : " (" + release + ")"));
      signal.bump();
    }
  }
}
