package dev.hoist.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.engine.AgentOp.Service;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one place apply steps and probe requests become the JSON agent.py reads (its {@code OPS} and
 * {@code PROBES} tables): paths and names as strings, contents base64, durations in seconds.
 */
public final class AgentProtocol {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AgentProtocol() {}

  /** The name an operation or probe kind has on the wire. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE)
  public @interface Wire {
    String value();
  }

  static String wireName(Class<?> type) {
    return type.getAnnotation(Wire.class).value();
  }

  /** Every operation name the Java side can send. */
  public static Set<String> ops() {
    return names(AgentOp.class);
  }

  /** Every probe kind the Java side can ask for. */
  public static Set<String> probeKinds() {
    return names(ProbeKind.class);
  }

  private static Set<String> names(Class<?> sealed) {
    return Arrays.stream(sealed.getPermittedSubclasses())
        .map(AgentProtocol::wireName)
        .collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  public static List<ObjectNode> toJson(List<AgentStep> steps) {
    return steps.stream().map(AgentProtocol::toJson).toList();
  }

  public static ObjectNode toJson(AgentStep step) {
    ObjectNode out = JSON.createObjectNode().put("id", step.id()).put("do", step.op().op());
    switch (step.op()) {
      case AgentOp.AptInstall a -> out.set("names", array(a.names()));
      case AgentOp.GroupCreate g -> out.put("name", g.name());
      case AgentOp.UserCreate u ->
          out.put("name", u.name())
              .put("group", u.group())
              .put("home", u.home())
              .put("shell", u.shell());
      case AgentOp.DirEnsure d -> attributes(out.put("path", d.path()), d.attributes());
      case AgentOp.FileWrite f -> {
        out.put("path", f.path()).put("content", Base64.getEncoder().encodeToString(f.content()));
        attributes(out, f.attributes());
        if (!f.validate().isEmpty()) {
          out.set("validate", array(f.validate()));
        }
      }
      case AgentOp.FileAttrs f -> attributes(out.put("path", f.path()), f.attributes());
      case AgentOp.LinkEnsure l -> out.put("path", l.path()).put("target", l.target());
      case AgentOp.Exec e -> {
        out.set("argv", array(e.argv()));
        e.user().ifPresent(u -> out.put("user", u));
        e.cwd().ifPresent(c -> out.put("cwd", c));
        if (!e.env().isEmpty()) {
          ObjectNode env = out.putObject("env");
          e.env().forEach(env::put);
        }
        e.timeout().ifPresent(t -> out.put("timeout", t.toSeconds()));
      }
      case AgentOp.ServiceEnable s -> service(out, s.service());
      case AgentOp.ServiceUp s -> service(out, s.service());
      case AgentOp.ServiceSignal s -> service(out, s.service()).put("how", lower(s.how()));
      case AgentOp.GunicornReload g -> service(out, g.service());
      case AgentOp.ReleaseUnpack u -> {
        out.put("path", u.path());
        ObjectNode files = out.putObject("files");
        u.files()
            .forEach(
                (path, f) ->
                    files
                        .putObject(path)
                        .put("content", Base64.getEncoder().encodeToString(f.content()))
                        .put("group", f.group())
                        .put("mode", f.mode()));
        ObjectNode privateFiles = out.putObject("private");
        u.privateFiles().forEach(privateFiles::put);
        out.putObject("meta")
            .put("id", u.meta().id())
            .put("hash", u.meta().hash())
            .put("created", u.meta().created())
            .put("app", u.meta().app());
      }
      case AgentOp.ReleaseShared s ->
          out.put("path", s.path())
              .put("shared", s.shared())
              .put("user", s.user())
              .set("dirs", array(s.dirs()));
      case AgentOp.ReleaseOpen o ->
          out.put("path", o.path()).put("user", o.user()).set("dirs", array(o.dirs()));
      case AgentOp.ReleaseSeal s -> out.put("path", s.path()).set("dirs", array(s.dirs()));
      case AgentOp.ReleaseSwitch s -> out.put("root", s.root()).put("release", s.release());
      case AgentOp.ReleaseMarkFailed m -> {
        out.put("root", m.root()).put("release", m.release());
        if (m.switched()) {
          out.put("switched", true);
        }
      }
      case AgentOp.ReleasePrune p -> out.put("root", p.root()).put("keep", p.keep());
      case AgentOp.HttpCheck h -> {
        out.put("host", h.host())
            .put("path", h.path())
            .put("expect", h.expect())
            .put("timeout", seconds(h.timeout()))
            .put("interval", seconds(h.interval()))
            .put("healthy", h.healthy())
            .put("unhealthy", h.unhealthy())
            .put("deadline", seconds(h.deadline()))
            .put("start_period", seconds(h.startPeriod()));
        h.contains().ifPresent(c -> out.put("contains", c));
        out.set("logs", array(h.logs()));
      }
      case AgentOp.LbDrain d ->
          haproxy(out, d.lb())
              .put("timeout", seconds(d.timeout()))
              .set("servers", array(d.servers()));
      case AgentOp.LbReady r ->
          haproxy(out, r.lb())
              .put("timeout", seconds(r.timeout()))
              .<ObjectNode>set("servers", array(r.servers()))
              .set("wait", array(r.waitFor()));
      case AgentOp.LbWaitReload w -> {
        out.put("socket", w.socket()).put("timeout", w.timeout().toSeconds());
        w.oldPid().ifPresent(p -> out.put("old_pid", p));
      }
      case AgentOp.LockTake t ->
          out.put("path", t.path())
              .putObject("holder")
              .put("by", t.holder().by())
              .put("since", t.holder().since())
              .put("command", t.holder().command())
              .put("token", t.holder().token())
              .put("pid", t.holder().pid());
      case AgentOp.LockRelease r -> {
        out.put("path", r.path());
        r.token().ifPresent(t -> out.put("token", t));
        if (r.force()) {
          out.put("force", true);
        }
      }
      case AgentOp.SecretsUpdate u -> {
        out.put("app", u.app())
            .put("file", u.file())
            .put("index", u.index())
            .put("by", u.by())
            .put("at", u.at());
        ObjectNode set = out.putObject("set");
        u.set().forEach(set::put);
        out.set("unset", array(u.unset()));
      }
      case AgentOp.PathRemove p -> out.put("path", p.path());
      case AgentOp.ServiceRemove r -> out.put("name", r.name());
      case AgentOp.CronRemove r ->
          out.put("app", r.app())
              .put("job", r.job())
              .put("config_dir", r.configDir())
              .put("state_dir", r.stateDir());
    }
    if (step.finish()) {
      out.put("finish", true);
    }
    return out;
  }

  public static ObjectNode toJson(ProbeRequest probe) {
    ObjectNode out = JSON.createObjectNode().put("id", probe.id()).put("kind", probe.kind().kind());
    switch (probe.kind()) {
      case ProbeKind.Package p -> out.put("name", p.name());
      case ProbeKind.User u -> out.put("name", u.name());
      case ProbeKind.Group g -> out.put("name", g.name());
      case ProbeKind.Dir d -> out.put("path", d.path());
      case ProbeKind.Link l -> out.put("path", l.path());
      case ProbeKind.File f -> out.put("path", f.path()).put("sha256", f.sha256());
      case ProbeKind.Exec e -> {
        e.creates().ifPresent(c -> out.put("creates", c));
        if (!e.unless().isEmpty()) {
          out.set("unless", array(e.unless()));
        }
      }
      case ProbeKind.Service s ->
          out.put("name", s.name()).put("supervisor", lower(s.supervisor()));
      case ProbeKind.Release r -> out.put("root", r.root());
      case ProbeKind.Port p -> out.put("port", p.port());
      case ProbeKind.Json j -> out.put("path", j.path());
      case ProbeKind.Lb l -> out.put("socket", l.socket()).put("backend", l.backend());
      case ProbeKind.Secrets x -> out.put("file", x.file()).put("index", x.index());
      case ProbeKind.SecretsValues v -> out.put("file", v.file());
      case ProbeKind.Tls t -> out.put("dir", t.dir());
      case ProbeKind.Cron c -> out.put("dir", c.dir());
    }
    return out;
  }

  public static ArrayNode probesToJson(Collection<ProbeRequest> probes) {
    ArrayNode out = JSON.createArrayNode();
    probes.forEach(p -> out.add(toJson(p)));
    return out;
  }

  /** The mapper for other JSON hoist writes (e.g. a file's content); not for steps. */
  public static ObjectMapper json() {
    return JSON;
  }

  public static ArrayNode array(Collection<String> values) {
    ArrayNode array = JSON.createArrayNode();
    values.forEach(array::add);
    return array;
  }

  private static ObjectNode attributes(ObjectNode step, Attributes a) {
    return step.put("owner", a.owner()).put("group", a.group()).put("mode", a.mode());
  }

  private static ObjectNode service(ObjectNode step, Service s) {
    return step.put("service", s.name())
        .put("supervisor", lower(s.supervisor()))
        .put("stop_timeout", s.stopTimeout().toSeconds())
        .put("timeout", s.timeout().toSeconds());
  }

  private static ObjectNode haproxy(ObjectNode step, AgentOp.Haproxy lb) {
    return step.put("socket", lb.socket()).put("backend", lb.backend());
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
