package dev.hoist.project;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * Reads {@code cron:}: {@code NAME: {schedule, command, timeout}} or the short form {@code NAME:
 * "SCHEDULE COMMAND"} (five fields or one word, then the command). A schedule that does not parse
 * is reported at the field inside the string.
 */
final class CronReader {
  private static final List<String> KEYS = List.of("schedule", "command", "timeout");
  // A word schedule, or five fields, then the command.
  private static final Pattern SHORT =
      Pattern.compile("\\s*(@?[A-Za-z]+|(?:\\S+\\s+){4}\\S+)\\s+(\\S.*)", Pattern.DOTALL);
  private static final Pattern WORD = Pattern.compile("@?[A-Za-z]+");

  private final YamlNodes nodes;
  private final Commands commands;

  CronReader(YamlNodes nodes) {
    this.nodes = nodes;
    this.commands = new Commands(nodes);
  }

  Map<String, CronJob> read(Node node) {
    Map<String, CronJob> jobs = new LinkedHashMap<>();
    for (NodeTuple entry :
        nodes.entries(node, "cron", "a mapping of job names to jobs").orElse(List.of())) {
      Optional<String> name =
          nodes.parse(entry.getKeyNode(), "cron", "a job name", CronReader::jobName);
      String key = "cron." + ((ScalarNode) entry.getKeyNode()).getValue();
      Optional<CronJob> job = job(entry.getValueNode(), key, name.orElse(""));
      if (name.isPresent() && job.isPresent()) {
        jobs.put(name.get(), job.get());
      }
    }
    return Collections.unmodifiableMap(jobs);
  }

  /** Job names become service names ({@code hoist-cron-APP-NAME}) and file names. */
  static String jobName(String text) {
    if (text.startsWith("hoist-")) {
      throw new InvalidValue(
          "job names starting with 'hoist-' are Hoist's own (scheduled backups), found '"
              + text
              + "'",
          "pick another name");
    }
    try {
      return Values.processName(text);
    } catch (InvalidValue e) {
      throw new InvalidValue(
          "expected a job name of lowercase letters, digits and '-' that starts with a letter"
              + " (at most 21), found '"
              + text
              + "'",
          "it names the job's service and log, e.g. 'clearsessions'");
    }
  }

  private Optional<CronJob> job(Node node, String key, String name) {
    if (node instanceof MappingNode) {
      return full(node, key, name);
    }
    Optional<String> text =
        nodes.text(node, key, "a mapping with schedule and command, or \"SCHEDULE COMMAND\"");
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Matcher m = SHORT.matcher(text.get());
    if (!m.matches()) {
      // Without a command after it, the whole text is reported as a schedule.
      nodes.problem(
          node,
          key,
          "expected \"SCHEDULE COMMAND\", e.g. \"*/15 * * * * python manage.py clearsessions\","
              + " found "
              + YamlNodes.describe(node),
          "or write the job as a mapping: {schedule: '*/15 * * * *', command: ...}");
      return Optional.empty();
    }
    Optional<CronSchedule> schedule = schedule((ScalarNode) node, m.group(1), m.start(1), key);
    Optional<List<String>> argv =
        nodes
            .parse(node, key, "a command", t -> ShellWords.split(m.group(2)))
            .filter(words -> !words.isEmpty());
    return schedule.flatMap(s -> argv.map(a -> new CronJob(name, s, a, CronJob.DEFAULT_TIMEOUT)));
  }

  private Optional<CronJob> full(Node node, String key, String name) {
    Optional<Fields> found = nodes.fields(node, key, KEYS, Set.of());
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Fields f = found.get();
    Optional<CronSchedule> schedule =
        f.required("schedule", "schedule: '*/15 * * * *'")
            .flatMap(
                n ->
                    n instanceof ScalarNode s && !YamlNodes.isNull(s)
                        ? schedule(s, s.getValue(), 0, f.key("schedule"))
                        : nodes
                            .text(n, f.key("schedule"), "a cron schedule like '0 3 * * *'")
                            .flatMap(t -> Optional.empty()));
    Optional<List<String>> argv =
        f.required("command", "command: python manage.py clearsessions")
            .flatMap(n -> commands.argv(n, f.key("command")));
    Optional<Duration> timeout =
        f.get("timeout")
            .map(n -> nodes.duration(n, f.key("timeout")))
            .orElse(Optional.of(CronJob.DEFAULT_TIMEOUT));
    return schedule.flatMap(s -> argv.flatMap(a -> timeout.map(t -> new CronJob(name, s, a, t))));
  }

  /** {@code text} sits at {@code offset} in the scalar's value; problems point into it. */
  Optional<CronSchedule> schedule(ScalarNode node, String text, int offset, String key) {
    try {
      return Optional.of(CronSchedule.parse(text));
    } catch (CronSchedule.Invalid e) {
      String message = e.getMessage();
      if (WORD.matcher(text.strip()).matches() && !text.strip().startsWith("@")) {
        message = "unknown schedule word '" + text.strip() + "'";
      }
      nodes.problemInside(node, offset + e.offset(), key, message, e.hint());
      return Optional.empty();
    }
  }
}
