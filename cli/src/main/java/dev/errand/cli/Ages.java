package dev.errand.cli;

import java.time.Duration;

/** Durations as an operator reads them at a glance: 42s, 5m, 3h12m, 2d4h. */
final class Ages {

    private Ages() {}

    static String of(Duration age) {
        long s = Math.max(0, age.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m";
        }
        if (s < 86_400) {
            return s / 3600 + "h" + (s % 3600) / 60 + "m";
        }
        return s / 86_400 + "d" + (s % 86_400) / 3600 + "h";
    }
}
