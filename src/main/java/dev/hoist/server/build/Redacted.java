package dev.hoist.server.build;

import java.util.regex.Pattern;

/** Repository URLs as they may be shown: without the user and password some URLs carry. */
final class Redacted {
  // scheme://user:secret@host/...: everything between "://" and the last '@' before the host.
  private static final Pattern USERINFO = Pattern.compile("(?<=://)[^/\\s@]*@");

  private Redacted() {}

  static String text(String text) {
    return USERINFO.matcher(text).replaceAll("");
  }
}
