package dev.hoist.server.tokens;

/** A token just made: what is stored, and the secret to hand to its user once. */
public record NewToken(ApiToken stored, String secret) {
  @Override
  public String toString() {
    return "NewToken[" + stored + ", secret hidden]";
  }
}
