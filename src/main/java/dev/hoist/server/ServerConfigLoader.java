package dev.hoist.server;

import dev.hoist.project.Fields;
import dev.hoist.project.InvalidValue;
import dev.hoist.project.SpecException;
import dev.hoist.project.SpecLoader;
import dev.hoist.project.YamlNodes;
import dev.hoist.server.hooks.HookRules;
import dev.hoist.server.hooks.Provider;
import dev.hoist.server.hooks.WebhookSecret;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * Reads a {@code server.yml} into a {@link ServerConfig}, every problem reported at its
 * file:line:column with the key and a fix, as hoist.yml's are (the same {@link YamlNodes}
 * machinery). Secret files are read here, so a missing or unsafe one stops the server at start.
 */
public final class ServerConfigLoader {
  static final List<String> KEYS = List.of("listen", "data", "projects");
  static final List<String> PROJECT_KEYS =
      List.of("repo", "branch", "env", "secret_file", "provider", "watch", "notify");
  private static final List<String> NOTIFY_KEYS = List.of("url", "format");
  // A project's name is a URL path segment (/hooks/<name>) and a file name in the data directory.
  private static final Pattern PROJECT = Pattern.compile("[a-z][a-z0-9-]{0,62}");
  private static final Pattern ENV = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  // git check-ref-format, roughly; a leading '-' would read as an option.
  private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._/+-]{0,199}");
  private static final Pattern URL_REPO = Pattern.compile("(https?|ssh|git|file)://\\S+");
  private static final Pattern SCP_REPO = Pattern.compile("[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\\S+");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}|[0-9A-Fa-f:.]{2,45}");

  private final YamlNodes nodes;
  private final Path dir;

  private ServerConfigLoader(YamlNodes nodes, Path dir) {
    this.nodes = nodes;
    this.dir = dir;
  }

  /**
   * Loads {@code file}; relative paths in it are read from the file's directory.
   *
   * @throws SpecException listing every problem, each at file:line:column; never a partial config
   * @throws IOException if the file exists but cannot be read
   */
  public static ServerConfig load(Path file) throws SpecException, IOException {
    String shown = file.toString();
    if (!Files.isRegularFile(file)) {
      throw SpecLoader.single(
          shown,
          0,
          0,
          "no such file",
          "write one with 'listen:', 'data:' and 'projects:' (docs/server.md has an example)");
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (CharacterCodingException e) {
      throw SpecLoader.single(shown, 0, 0, "the file is not UTF-8 text", "save it as UTF-8");
    }
    Node root = SpecLoader.compose(text, shown).orElse(null);
    if (root == null || YamlNodes.isNull(root)) {
      throw SpecLoader.single(
          shown, 0, 0, "the file is empty", "add at least 'projects:' with one project");
    }
    YamlNodes nodes = new YamlNodes(shown);
    Path dir = file.toAbsolutePath().getParent();
    Optional<ServerConfig> config = new ServerConfigLoader(nodes, dir).walk(root, file);
    if (config.isEmpty()) {
      throw new SpecException(nodes.problems());
    }
    return config.get();
  }

  private Optional<ServerConfig> walk(Node root, Path file) {
    if (!(root instanceof MappingNode)) {
      nodes.problem(
          root,
          "",
          "expected a mapping of keys like 'listen: 127.0.0.1:7500', found "
              + YamlNodes.describe(root),
          "start the file with 'listen:', 'data:' and 'projects:'");
      return Optional.empty();
    }
    Fields top = nodes.fields(root, "", KEYS, Set.of()).orElseThrow();
    ServerConfig.Listen listen =
        top.get("listen")
            .flatMap(n -> nodes.parse(n, "listen", "host:port", ServerConfigLoader::listen))
            .orElse(ServerConfig.DEFAULT_LISTEN);
    Path data =
        top.get("data")
            .flatMap(n -> nodes.parse(n, "data", "a directory", this::path))
            .orElse(ServerConfig.DEFAULT_DATA);
    Map<String, ProjectConfig> projects =
        top.required("projects", "projects: {shop: {repo: ..., secret_file: ...}}")
            .map(n -> projects(n, data))
            .orElse(Map.of());
    if (!nodes.problems().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ServerConfig(file, listen, data, projects));
  }

  private Map<String, ProjectConfig> projects(Node node, Path data) {
    Map<String, ProjectConfig> projects = new LinkedHashMap<>();
    List<NodeTuple> entries =
        nodes.entries(node, "projects", "a mapping of project names to projects").orElse(List.of());
    if (entries.isEmpty() && node instanceof MappingNode) {
      nodes.problem(node, "projects", "no projects", "add one, e.g. 'shop: {repo: ..., ...}'");
    }
    for (NodeTuple entry : entries) {
      String name = ((ScalarNode) entry.getKeyNode()).getValue();
      String key = "projects." + name;
      Optional<String> checked =
          nodes.parse(entry.getKeyNode(), key, "a project name", ServerConfigLoader::projectName);
      Optional<ProjectConfig> project = project(name, key, entry.getValueNode(), data);
      if (checked.isPresent() && project.isPresent()) {
        projects.put(name, project.get());
      }
    }
    return projects;
  }

  private Optional<ProjectConfig> project(String name, String key, Node node, Path data) {
    Optional<Fields> found = nodes.fields(node, key, PROJECT_KEYS, Set.of());
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Fields f = found.get();
    Optional<String> repo =
        f.required("repo", "repo: https://github.com/you/" + name + ".git")
            .flatMap(n -> nodes.parse(n, f.key("repo"), "a git URL or path", this::repo));
    String branch =
        f.get("branch")
            .flatMap(
                n -> nodes.parse(n, f.key("branch"), "a branch name", ServerConfigLoader::branch))
            .orElse("main");
    Optional<String> env =
        f.get("env")
            .flatMap(
                n -> nodes.parse(n, f.key("env"), "an environment name", ServerConfigLoader::env));
    Provider provider =
        f.get("provider")
            .flatMap(
                n ->
                    nodes.parse(
                        n,
                        f.key("provider"),
                        "github, gitea, forgejo, gitlab or hmac",
                        ServerConfigLoader::provider))
            .orElse(Provider.GITHUB);
    Optional<Node> secretFile = f.get("secret_file");
    Optional<WebhookSecret> secret =
        secretFile.flatMap(n -> nodes.parse(n, f.key("secret_file"), "a file", this::secret));
    // Without a secret no webhook can be checked: only a project fed by pushes here may omit it.
    Path pushes = ServerConfig.pushRepository(data, name);
    if (secretFile.isEmpty() && !repo.map(pushes.toString()::equals).orElse(false)) {
      nodes.problem(
          node,
          f.key("secret_file"),
          "required key is missing: the project's webhooks are checked with it",
          "add e.g. 'secret_file: /etc/hoist-server/"
              + name
              + ".secret'; only a project deployed by git push to this server (repo: "
              + pushes
              + ") may go without");
    }
    List<String> watch = f.get("watch").map(n -> watch(n, f.key("watch"))).orElse(List.of());
    List<ProjectConfig.Notify> notify =
        f.get("notify").map(n -> notify(n, f.key("notify"))).orElse(List.of());
    if (repo.isEmpty() || secret.isEmpty() != secretFile.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new ProjectConfig(
            name,
            repo.get(),
            branch,
            env,
            new HookRules(provider, secret, branch, watch),
            notify,
            secretFile.map(n -> path(((ScalarNode) n).getValue()))));
  }

  private List<String> watch(Node node, String key) {
    List<String> watch = new ArrayList<>();
    for (Node item : nodes.list(node, key, "a list of paths").orElse(List.of())) {
      nodes
          .parse(item, key, "a path in the repository", ServerConfigLoader::watchPath)
          .ifPresent(watch::add);
    }
    return watch;
  }

  private List<ProjectConfig.Notify> notify(Node node, String key) {
    List<ProjectConfig.Notify> targets = new ArrayList<>();
    for (Node item : nodes.list(node, key, "a list of URLs").orElse(List.of())) {
      if (item instanceof MappingNode) {
        Optional<Fields> found = nodes.fields(item, key, NOTIFY_KEYS, Set.of());
        found.ifPresent(
            f -> {
              Optional<URI> url =
                  f.required("url", "url: https://hooks.slack.com/services/...")
                      .flatMap(
                          n ->
                              nodes.parse(
                                  n, f.key("url"), "an http(s) URL", ServerConfigLoader::url));
              Optional<ProjectConfig.Notify.Format> format =
                  f.get("format")
                      .map(
                          n ->
                              nodes.parse(
                                  n,
                                  f.key("format"),
                                  "json, slack or discord",
                                  ServerConfigLoader::format))
                      .orElse(Optional.of(ProjectConfig.Notify.Format.JSON));
              if (url.isPresent() && format.isPresent()) {
                targets.add(new ProjectConfig.Notify(url.get(), format.get()));
              }
            });
      } else {
        nodes
            .parse(item, key, "an http(s) URL", ServerConfigLoader::url)
            .ifPresent(
                u -> targets.add(new ProjectConfig.Notify(u, ProjectConfig.Notify.Format.JSON)));
      }
    }
    return targets;
  }

  static ServerConfig.Listen listen(String text) {
    int colon = text.lastIndexOf(':');
    String host = colon < 0 ? "" : text.substring(0, colon);
    String port = colon < 0 ? text : text.substring(colon + 1);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isEmpty()) {
      host = ServerConfig.DEFAULT_LISTEN.host();
    }
    if (!HOST.matcher(host).matches() || !port.matches("[0-9]{1,5}")) {
      throw new InvalidValue(
          "expected host:port, found '" + text + "'", "e.g. 127.0.0.1:7500, or [::1]:7500");
    }
    int number = Integer.parseInt(port);
    if (number < 1 || number > 65535) {
      throw new InvalidValue(
          "expected a port from 1 to 65535, found '" + port + "'", "the default is 7500");
    }
    return new ServerConfig.Listen(host, number);
  }

  private Path path(String text) {
    return dir.resolve(text).normalize();
  }

  static String projectName(String text) {
    if (!PROJECT.matcher(text).matches()) {
      throw new InvalidValue(
          "expected a project name of lowercase letters, digits and '-', found '" + text + "'",
          "it becomes the webhook URL /hooks/<name>, e.g. shop");
    }
    return text;
  }

  private String repo(String text) {
    if (text.startsWith("-") || text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new InvalidValue(
          "expected a git URL or path, found '" + text + "'",
          "e.g. https://github.com/you/shop.git, git@github.com:you/shop.git or /srv/git/shop.git");
    }
    if (URL_REPO.matcher(text).matches() || SCP_REPO.matcher(text).matches()) {
      return text;
    }
    return path(text).toString();
  }

  static String branch(String text) {
    if (!BRANCH.matcher(text).matches()
        || text.contains("..")
        || text.contains("//")
        || text.endsWith("/")
        || text.endsWith(".lock")) {
      throw new InvalidValue(
          "expected a branch name, found '" + text + "'", "e.g. main (the default) or release/1.x");
    }
    return text.startsWith("refs/heads/") ? text.substring("refs/heads/".length()) : text;
  }

  static String env(String text) {
    if (!ENV.matcher(text).matches()) {
      throw new InvalidValue(
          "expected an environment name, found '" + text + "'",
          "an environment of the project's hoist.yml, e.g. live; omit it for this machine");
    }
    return text;
  }

  static Provider provider(String text) {
    return Provider.parse(text)
        .orElseThrow(
            () ->
                new InvalidValue(
                    "expected github, gitea, forgejo, gitlab or hmac, found '" + text + "'",
                    "the git host that sends the webhooks; github is the default"));
  }

  private WebhookSecret secret(String text) {
    Path file = path(text);
    if (!Files.isRegularFile(file)) {
      throw new InvalidValue(
          "no such file: " + file,
          "write the webhook secret into it (e.g. 'openssl rand -hex 32 > "
              + file
              + "') and chmod 600");
    }
    Set<PosixFilePermission> mode;
    String content;
    try {
      mode = Files.getPosixFilePermissions(file);
      content = Files.readString(file);
    } catch (UnsupportedOperationException e) {
      throw new InvalidValue(
          "cannot check the permissions of " + file, "keep it on a POSIX filesystem");
    } catch (IOException e) {
      throw new InvalidValue(
          "cannot read " + file + ": " + e.getMessage(), "check its owner and mode");
    }
    if (mode.contains(PosixFilePermission.GROUP_READ)
        || mode.contains(PosixFilePermission.OTHERS_READ)) {
      throw new InvalidValue(
          file + " can be read by other users",
          "chmod 600 " + file + " (whoever knows the secret can deploy)");
    }
    try {
      return WebhookSecret.of(content);
    } catch (IllegalArgumentException e) {
      throw new InvalidValue(file + ": " + e.getMessage(), "write one secret on one line");
    }
  }

  static String watchPath(String text) {
    String path = text.startsWith("./") ? text.substring(2) : text;
    if (path.isEmpty()
        || path.startsWith("/")
        || path.equals("..")
        || path.startsWith("../")
        || path.contains("/../")
        || path.chars().anyMatch(c -> c < 0x20)) {
      throw new InvalidValue(
          "expected a path inside the repository, found '" + text + "'",
          "e.g. src/, hoist.yml or 'app/**/*.py'");
    }
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  static URI url(String text) {
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("https") || scheme.equals("http")) && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    throw new InvalidValue(
        "expected an http(s) URL, found '" + text + "'",
        "e.g. https://hooks.slack.com/services/...");
  }

  static ProjectConfig.Notify.Format format(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "json" -> ProjectConfig.Notify.Format.JSON;
      case "slack" -> ProjectConfig.Notify.Format.SLACK;
      case "discord" -> ProjectConfig.Notify.Format.DISCORD;
      default ->
          throw new InvalidValue(
              "expected json, slack or discord, found '" + text + "'",
              "json posts Hoist's own object; slack and discord post their webhook shapes");
    };
  }
}
