package dev.hoist.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A file with exact content, written atomically. Compared by sha256 on the node, so unchanged files
 * are never sent. {@code validate} (e.g. {@code nginx -t}) runs after the write; if it fails the
 * old content is put back. A secret file's content never appears in a diff.
 */
public record FileResource(
    String path, byte[] content, Attributes attributes, List<String> validate, boolean secret)
    implements Resource {

  public FileResource {
    validate = List.copyOf(validate);
  }

  public static FileResource of(String path, String content, Attributes attributes) {
    return new FileResource(
        path, content.getBytes(StandardCharsets.UTF_8), attributes, List.of(), false);
  }

  public FileResource validatedBy(List<String> command) {
    return new FileResource(path, content, attributes, command, secret);
  }

  public FileResource asSecret() {
    return new FileResource(path, content, attributes, validate, true);
  }

  @Override
  public String id() {
    return "file:" + path;
  }

  public String sha256() {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public ProbeRequest probe() {
    return new ProbeRequest(id(), new ProbeKind.File(path, sha256()));
  }

  @Override
  public Optional<Change> diff(JsonNode current) {
    boolean exists = current.path("exists").asBoolean();
    if (exists && !"file".equals(current.path("type").asText())) {
      throw new PlanException(
          path
              + " exists but is a "
              + current.path("type").asText()
              + ", not a file; move it away");
    }
    if (!exists || !sha256().equals(current.path("sha256").asText())) {
      AgentStep step =
          AgentStep.of(id(), new AgentOp.FileWrite(path, content, attributes, validate));
      String newText = new String(content, StandardCharsets.UTF_8);
      String diff =
          secret
              ? "(content hidden: secret)"
              : TextDiff.unified(current.path("text").asText(""), newText, path);
      return Optional.of(
          new Change(
              id(),
              exists ? Change.Kind.UPDATE : Change.Kind.CREATE,
              (exists ? "update " : "create ") + path,
              List.of(exists ? "content differs" : "missing"),
              exists && !current.has("text") && !secret
                  ? "(old content not shown: large or binary)"
                  : diff,
              List.of(step)));
    }
    List<String> reasons = attributes.differences(current);
    if (reasons.isEmpty()) {
      return Optional.empty();
    }
    AgentStep step = AgentStep.of(id(), new AgentOp.FileAttrs(path, attributes));
    return Optional.of(
        new Change(id(), Change.Kind.UPDATE, "fix " + path, reasons, "", List.of(step)));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FileResource f && f.path.equals(path) && f.sha256().equals(sha256());
  }

  @Override
  public int hashCode() {
    return path.hashCode();
  }

  @Override
  public String toString() {
    return "FileResource[" + path + "]";
  }
}
