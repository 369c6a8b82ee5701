package dev.hoist.project;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A cron schedule in UTC: five fields (minute hour day-of-month month day-of-week) with {@code *},
 * ranges, steps, lists and the names JAN-DEC and SUN-SAT, or one of the words {@code @hourly},
 * {@code @daily}, {@code @weekly}, {@code @monthly} (also without the {@code @}),
 * {@code @midnight}, {@code @yearly}, {@code @annually}. As in Vixie cron, when both day fields are
 * restricted (neither starts with {@code *}), a day matches when either field does. The node runner
 * (hoist-cron.py) parses the same text the same way; src/test/resources/dev/hoist/cron-cases.json
 * holds the cases both test suites check.
 */
public final class CronSchedule {
  private static final Map<String, String> WORDS =
      Map.of(
          "hourly", "0 * * * *",
          "daily", "0 0 * * *",
          "midnight", "0 0 * * *",
          "weekly", "0 0 * * 0",
          "monthly", "0 0 1 * *",
          "yearly", "0 0 1 1 *",
          "annually", "0 0 1 1 *");
  private static final List<String> MONTHS =
      List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
  private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
  private static final String[] FIELD_NAMES = {
    "minute", "hour", "day of month", "month", "day of week"
  };
  private static final int[] MIN = {0, 0, 1, 1, 0};
  private static final int[] MAX = {59, 23, 31, 12, 7};
  private static final String FORM =
      "five fields 'minute hour day-of-month month day-of-week' like '*/15 * * * *', or a word:"
          + " hourly, daily, weekly, monthly";
  // Enough to reach any possible day: Feb 29 on a given weekday recurs within 28 years.
  private static final int MAX_DAYS = 366 * 29;

  private final String text;
  private final BitSet[] fields;
  private final boolean domStar;
  private final boolean dowStar;

  private CronSchedule(String text, BitSet[] fields, boolean domStar, boolean dowStar) {
    this.text = text;
    this.fields = fields;
    this.domStar = domStar;
    this.dowStar = dowStar;
  }

  /** A schedule that does not parse; {@link #offset()} is where in the text the problem is. */
  public static final class Invalid extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final int offset;
    private final String hint;

    Invalid(String message, int offset, String hint) {
      super(message);
      this.offset = offset;
      this.hint = hint;
    }

    /** 0-based index into the schedule text of the field (or character) at fault. */
    public int offset() {
      return offset;
    }

    public String hint() {
      return hint;
    }
  }

  /**
   * Parses a schedule.
   *
   * @throws Invalid saying which field is wrong, where, and what was expected
   */
  public static CronSchedule parse(String text) {
    String trimmed = text.strip();
    int lead = trimmed.isEmpty() ? 0 : text.indexOf(trimmed);
    String word = trimmed.startsWith("@") ? trimmed.substring(1) : trimmed;
    String expanded = WORDS.get(word.toLowerCase(Locale.ROOT));
    if (expanded != null) {
      CronSchedule words = parseFields(expanded, 0);
      return new CronSchedule(trimmed, words.fields, words.domStar, words.dowStar);
    }
    if (trimmed.startsWith("@")) {
      throw new Invalid(
          "unknown schedule word '" + trimmed + "'",
          lead,
          "use @hourly, @daily, @weekly or @monthly, or five fields like '0 3 * * *'");
    }
    CronSchedule parsed = parseFields(text, 0);
    return new CronSchedule(trimmed, parsed.fields, parsed.domStar, parsed.dowStar);
  }

  private static CronSchedule parseFields(String text, int base) {
    List<int[]> spans = words(text);
    if (spans.size() != 5) {
      int at = spans.size() > 5 ? spans.get(5)[0] : Math.max(0, text.length());
      String found =
          spans.isEmpty() ? "nothing" : spans.size() + (spans.size() == 1 ? " field" : " fields");
      throw new Invalid(
          "expected " + FORM + "; found " + found,
          base + (spans.size() > 5 ? at : 0),
          "e.g. '0 3 * * *' runs at 03:00 UTC every day; quote the schedule in hoist.yml");
    }
    BitSet[] fields = new BitSet[5];
    for (int i = 0; i < 5; i++) {
      int[] span = spans.get(i);
      fields[i] = field(text.substring(span[0], span[1]), i, base + span[0]);
    }
    if (fields[4].get(7)) {
      fields[4].clear(7);
      fields[4].set(0);
    }
    boolean domStar = text.charAt(spans.get(2)[0]) == '*';
    boolean dowStar = text.charAt(spans.get(4)[0]) == '*';
    CronSchedule schedule = new CronSchedule(text, fields, domStar, dowStar);
    if ((dowStar || domStar) && !schedule.anyDayPossible()) {
      throw new Invalid(
          "this schedule never runs: no month it names has those days",
          base + spans.get(2)[0],
          "check the day of month and the month (e.g. February has at most 29 days)");
    }
    return schedule;
  }

  /** Start and end offsets of each whitespace-separated word. */
  private static List<int[]> words(String text) {
    List<int[]> spans = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      if (i > start) {
        spans.add(new int[] {start, i});
      }
    }
    return spans;
  }

  private static BitSet field(String text, int index, int at) {
    BitSet set = new BitSet();
    int offset = 0;
    for (String part : text.split(",", -1)) {
      part(part, index, at + offset, set);
      offset += part.length() + 1;
    }
    return set;
  }

  private static void part(String part, int index, int at, BitSet set) {
    String name = FIELD_NAMES[index];
    if (part.isEmpty()) {
      throw new Invalid(
          "empty item in the " + name + " field", at, "remove the extra ',' between values");
    }
    String range = part;
    int step = 1;
    int slash = part.indexOf('/');
    if (slash >= 0) {
      range = part.substring(0, slash);
      String stepText = part.substring(slash + 1);
      if (!stepText.matches("[0-9]{1,3}") || Integer.parseInt(stepText) == 0) {
        throw new Invalid(
            "expected a step of 1 or more after '/' in the "
                + name
                + " field, found '"
                + part
                + "'",
            at + slash + 1,
            "e.g. '*/15' for every 15th " + (index == 0 ? "minute" : "value"));
      }
      step = Integer.parseInt(stepText);
    }
    int low;
    int high;
    if (range.equals("*")) {
      low = MIN[index];
      high = index == 4 ? 6 : MAX[index];
    } else {
      int dash = range.indexOf('-');
      if (dash > 0) {
        low = value(range.substring(0, dash), index, at);
        high = value(range.substring(dash + 1), index, at + dash + 1);
        if (high < low) {
          throw new Invalid(
              "range '" + range + "' in the " + name + " field goes backwards",
              at,
              "write the smaller value first, e.g. '" + high + "-" + low + "' or a list");
        }
      } else {
        low = value(range, index, at);
        // Vixie: '5/10' means 5-MAX/10.
        high = slash >= 0 ? (index == 4 ? 6 : MAX[index]) : low;
      }
    }
    for (int v = low; v <= high; v += step) {
      set.set(v);
    }
  }

  private static int value(String text, int index, int at) {
    String upper = text.toUpperCase(Locale.ROOT);
    if (index == 3 && MONTHS.contains(upper)) {
      return MONTHS.indexOf(upper) + 1;
    }
    if (index == 4 && DAYS.contains(upper)) {
      return DAYS.indexOf(upper);
    }
    if (text.matches("[0-9]{1,2}")) {
      int v = Integer.parseInt(text);
      if (v >= MIN[index] && v <= MAX[index]) {
        return v;
      }
    }
    String allowed =
        MIN[index]
            + "-"
            + MAX[index]
            + (index == 3 ? " or JAN-DEC" : index == 4 ? " (0 and 7 are Sunday) or SUN-SAT" : "");
    throw new Invalid(
        "expected " + FIELD_NAMES[index] + " " + allowed + ", found '" + text + "'",
        at,
        "the fields are: minute hour day-of-month month day-of-week, e.g. '30 2 * * MON-FRI'");
  }

  private boolean anyDayPossible() {
    for (int m = fields[3].nextSetBit(1); m >= 0; m = fields[3].nextSetBit(m + 1)) {
      int days = m == 2 ? 29 : LocalDate.of(2001, m, 1).lengthOfMonth();
      int first = fields[2].nextSetBit(1);
      if (first >= 1 && first <= days) {
        return true;
      }
    }
    return false;
  }

  /** The schedule as written (trimmed). */
  public String text() {
    return text;
  }

  private boolean dayMatches(LocalDate d) {
    if (!fields[3].get(d.getMonthValue())) {
      return false;
    }
    boolean dom = fields[2].get(d.getDayOfMonth());
    boolean dow = fields[4].get(d.getDayOfWeek().getValue() % 7);
    return domStar || dowStar ? dom && dow : dom || dow;
  }

  /** The first run strictly after {@code after} (UTC, whole minutes). */
  public Instant next(Instant after) {
    LocalDateTime t =
        LocalDateTime.ofInstant(after, ZoneOffset.UTC)
            .truncatedTo(ChronoUnit.MINUTES)
            .plusMinutes(1);
    LocalDate day = t.toLocalDate();
    for (int i = 0; i < MAX_DAYS; i++, day = day.plusDays(1)) {
      if (!dayMatches(day)) {
        continue;
      }
      boolean today = day.equals(t.toLocalDate());
      for (int h = fields[1].nextSetBit(today ? t.getHour() : 0);
          h >= 0;
          h = fields[1].nextSetBit(h + 1)) {
        int fromMinute = today && h == t.getHour() ? t.getMinute() : 0;
        int m = fields[0].nextSetBit(fromMinute);
        if (m >= 0) {
          return day.atTime(h, m).toInstant(ZoneOffset.UTC);
        }
      }
    }
    throw new IllegalStateException("schedule '" + text + "' has no run within 29 years");
  }

  /**
   * The longest gap between two runs, over a year of runs from 2001-01-01 (at most 2000 runs): how
   * old the newest run may be before one was missed (every 15 minutes: 15 minutes; at 03:00 on
   * weekdays: 3 days).
   */
  public Duration period() {
    Instant start = LocalDateTime.of(2001, 1, 1, 0, 0).toInstant(ZoneOffset.UTC);
    Instant end = start.plus(Duration.ofDays(400));
    Instant prev = next(start);
    Duration longest = Duration.ZERO;
    for (int i = 0; i < 2000 && prev.isBefore(end); i++) {
      Instant n = next(prev);
      Duration gap = Duration.between(prev, n);
      if (gap.compareTo(longest) > 0) {
        longest = gap;
      }
      prev = n;
    }
    return longest;
  }

  /**
   * The schedule as systemd's {@code OnCalendar=} values (in UTC): one, or two when both day fields
   * are restricted (systemd requires both, cron either).
   */
  public List<String> onCalendar() {
    String time = list(fields[1], 0, 23) + ":" + list(fields[0], 0, 59) + ":00";
    String month = list(fields[3], 1, 12);
    if (!domStar && !dowStar) {
      return List.of(
          "*-" + month + "-" + list(fields[2], 1, 31) + " " + time + " UTC",
          weekdays() + " *-" + month + "-* " + time + " UTC");
    }
    String days = list(fields[2], 1, 31);
    String prefix = fields[4].cardinality() == 7 ? "" : weekdays() + " ";
    return List.of(prefix + "*-" + month + "-" + days + " " + time + " UTC");
  }

  private String weekdays() {
    List<String> out = new ArrayList<>();
    // systemd's week starts on Monday.
    int[] order = {1, 2, 3, 4, 5, 6, 0};
    int i = 0;
    while (i < 7) {
      if (!fields[4].get(order[i])) {
        i++;
        continue;
      }
      int j = i;
      while (j + 1 < 7 && fields[4].get(order[j + 1])) {
        j++;
      }
      String first = dayName(order[i]);
      out.add(j == i ? first : first + ".." + dayName(order[j]));
      i = j + 1;
    }
    return String.join(",", out);
  }

  private static String dayName(int cronDay) {
    DayOfWeek d = DayOfWeek.of(cronDay == 0 ? 7 : cronDay);
    String name = d.toString();
    return name.charAt(0) + name.substring(1, 3).toLowerCase(Locale.ROOT);
  }

  /** {@code *} for the whole range, else values and runs ({@code 1..5}) joined by commas. */
  private static String list(BitSet set, int min, int max) {
    if (set.cardinality() == max - min + 1) {
      return "*";
    }
    List<String> out = new ArrayList<>();
    int v = set.nextSetBit(min);
    while (v >= 0 && v <= max) {
      int end = v;
      while (set.get(end + 1) && end + 1 <= max) {
        end++;
      }
      String a = String.format("%02d", v);
      out.add(end - v >= 2 ? a + ".." + String.format("%02d", end) : a);
      if (end - v == 1) {
        out.add(String.format("%02d", end));
      }
      v = set.nextSetBit(end + 1);
    }
    return String.join(",", out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CronSchedule s && s.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
