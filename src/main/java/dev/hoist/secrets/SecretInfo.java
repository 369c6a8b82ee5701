package dev.hoist.secrets;

/** When a secret was set (ISO-8601 UTC) and by whom ({@code user@host}); never its value. */
public record SecretInfo(String set, String by) {}
