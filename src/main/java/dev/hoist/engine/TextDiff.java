package dev.hoist.engine;

import java.util.ArrayList;
import java.util.List;

/** A unified diff of two texts (line based, longest common subsequence), for plan output. */
public final class TextDiff {
  private static final int CONTEXT = 2;
  private static final int MAX_LINES = 2000;

  private TextDiff() {}

  public static String unified(String oldText, String newText, String name) {
    String[] a = lines(oldText);
    String[] b = lines(newText);
    if (a.length > MAX_LINES || b.length > MAX_LINES) {
      return "(" + a.length + " -> " + b.length + " lines; too long to diff)";
    }
    List<String> ops = edits(a, b);
    StringBuilder out = new StringBuilder("--- " + name + "\n+++ " + name + " (new)\n");
    int i = 0;
    while (i < ops.size()) {
      if (ops.get(i).startsWith(" ")) {
        i++;
        continue;
      }
      int start = Math.max(0, i - CONTEXT);
      int end = i;
      int quiet = 0;
      while (end < ops.size() && quiet <= 2 * CONTEXT) {
        quiet = ops.get(end).startsWith(" ") ? quiet + 1 : 0;
        end++;
      }
      end = Math.min(ops.size(), end - Math.max(0, quiet - CONTEXT));
      out.append("@@\n");
      for (int k = start; k < end; k++) {
        out.append(ops.get(k)).append('\n');
      }
      i = end;
    }
    return out.toString();
  }

  /** The lines of a text; a final newline ends the last line rather than starting an empty one. */
  private static String[] lines(String text) {
    String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    return text.isEmpty() ? new String[0] : body.split("\n", -1);
  }

  private static List<String> edits(String[] a, String[] b) {
    int[][] lcs = new int[a.length + 1][b.length + 1];
    for (int i = a.length - 1; i >= 0; i--) {
      for (int j = b.length - 1; j >= 0; j--) {
        lcs[i][j] =
            a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    List<String> ops = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < a.length || j < b.length) {
      if (i < a.length && j < b.length && a[i].equals(b[j])) {
        ops.add(" " + a[i++]);
        j++;
      } else if (i < a.length && (j == b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
        ops.add("-" + a[i++]); // removals first, as diff -u and git show them
      } else {
        ops.add("+" + b[j++]);
      }
    }
    return ops;
  }
}
