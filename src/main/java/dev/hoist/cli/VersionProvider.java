package dev.hoist.cli;

import picocli.CommandLine.IVersionProvider;

/** Reports the version from the jar's manifest. */
public final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = HoistCommand.class.getPackage().getImplementationVersion();
    return new String[] {"hoist " + (v == null ? "dev" : v)};
  }
}
