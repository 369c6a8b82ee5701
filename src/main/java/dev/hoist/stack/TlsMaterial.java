package dev.hoist.stack;

/**
 * The user's own certificate chain and private key (PEM), already checked, to ship to the node that
 * ends TLS. The key never appears in a plan or a diff.
 */
public record TlsMaterial(byte[] chain, byte[] key) {}
