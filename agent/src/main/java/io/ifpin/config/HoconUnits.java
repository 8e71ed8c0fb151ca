package io.ifpin.config;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * HOCON durations ({@code reload-interval = 5s}) and sizes ({@code max-size = 10M}) read from a {@link ConfigNode}
 * exactly as Typesafe Config's {@code getDuration} and {@code getBytes} read them. Numbers and the plain forms (digits
 * and a common unit) are read here; any other text goes to Typesafe Config itself ({@link TypesafeHocon}), so the
 * rare forms ({@code 1.5 s}, {@code 2 minutes}, {@code 10 kibibytes}) and every invalid one mean what they always
 * meant, and a config in the common forms loads none of it. {@code HoconUnitsTest} holds the two equal.
 */
final class HoconUnits {
    /** Sizes with at most this many digits cannot overflow a long in any unit read here (up to 1024^3). */
    private static final int MAX_SIZE_DIGITS = 9;
    /** Durations with at most this many digits fit a long; TimeUnit saturates the product, as Typesafe's does. */
    private static final int MAX_DURATION_DIGITS = 18;

    private HoconUnits() {
    }

    /** The duration, or null when Typesafe Config's {@code getDuration} would refuse the value. */
    static Duration duration(ConfigNode value) {
        if (value.isNumber()) {
            // A number is milliseconds. Typesafe parses the number's text: an integer's is its digits, and a
            // decimal's (it has a '.' or an exponent) parses back to the same double, multiplied as here.
            Number number = value.number();
            if (number instanceof Double decimal) {
                return Duration.ofNanos((long) (decimal * TimeUnit.MILLISECONDS.toNanos(1)));
            }
            return Duration.ofNanos(TimeUnit.MILLISECONDS.toNanos(number.longValue()));
        }
        if (!value.isString()) {
            // An object or list is the wrong type; a boolean becomes "true", which has no number: refused either way.
            return null;
        }
        String text = value.string();
        int unitStart = digits(text);
        if (unitStart == 0 || unitStart > MAX_DURATION_DIGITS || !lettersToEnd(text, unitStart)) {
            return TypesafeHocon.duration(text);
        }
        TimeUnit unit = timeUnit(text.substring(unitStart));
        if (unit == null) {
            return TypesafeHocon.duration(text);
        }
        return Duration.ofNanos(unit.toNanos(Long.parseLong(text, 0, unitStart, 10)));
    }

    /** The size in bytes, or null when Typesafe Config's {@code getBytes} would refuse the value. */
    static Long bytes(ConfigNode value) {
        if (value.isNumber()) {
            long bytes = value.number().longValue(); // as getLong: a decimal is truncated
            return bytes >= 0 ? bytes : null;
        }
        if (!value.isString()) {
            return null;
        }
        String text = value.string();
        int unitStart = digits(text);
        if (unitStart == 0 || unitStart > MAX_SIZE_DIGITS || !lettersToEnd(text, unitStart)) {
            return TypesafeHocon.bytes(text);
        }
        long multiplier = sizeUnit(text.substring(unitStart));
        if (multiplier == 0) {
            return TypesafeHocon.bytes(text);
        }
        return Long.parseLong(text, 0, unitStart, 10) * multiplier;
    }

    /** The end of the leading ASCII digits. */
    private static int digits(String text) {
        int i = 0;
        while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            i++;
        }
        return i;
    }

    /** True if {@code text} has only ASCII letters from {@code start} on (Typesafe's unit is its trailing letters). */
    private static boolean lettersToEnd(String text, int start) {
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
                return false;
            }
        }
        return true;
    }

    /** Typesafe's duration units, case-sensitive; a unit of more than two letters may omit its final s. */
    private static TimeUnit timeUnit(String unit) {
        String name = unit.length() > 2 && !unit.endsWith("s") ? unit + "s" : unit;
        switch (name) {
            case "", "ms", "millis", "milliseconds":
                return TimeUnit.MILLISECONDS;
            case "us", "micros", "microseconds":
                return TimeUnit.MICROSECONDS;
            case "ns", "nanos", "nanoseconds":
                return TimeUnit.NANOSECONDS;
            case "d", "days":
                return TimeUnit.DAYS;
            case "h", "hours":
                return TimeUnit.HOURS;
            case "s", "seconds":
                return TimeUnit.SECONDS;
            case "m", "minutes":
                return TimeUnit.MINUTES;
            default:
                return null;
        }
    }

    /** Bytes per unit for the common size units; 0 for the others, which Typesafe reads. */
    private static long sizeUnit(String unit) {
        switch (unit) {
            case "", "b", "B":
                return 1;
            case "k", "K", "Ki", "KiB":
                return 1024;
            case "kB":
                return 1000;
            case "m", "M", "Mi", "MiB":
                return 1024 * 1024;
            case "MB":
                return 1000 * 1000;
            case "g", "G", "Gi", "GiB":
                return 1024 * 1024 * 1024;
            case "GB":
                return 1000 * 1000 * 1000;
            default:
                return 0;
        }
    }
}
