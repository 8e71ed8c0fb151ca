package io.ifpin.pin;

import io.ifpin.log.LogLevel;
import io.ifpin.log.LogCapture;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ErrorReporterTest {

    @Test
    void buildsTheMessageOnlyForTheFirstOccurrence() {
        ErrorReporter reporter = new ErrorReporter();
        AtomicInteger built = new AtomicInteger();
        for (int i = 0; i < 1000; i++) {
            reporter.report("k", LogLevel.ERROR, () -> "message " + built.incrementAndGet());
        }
        assertEquals(1, built.get());
        assertEquals(1000, reporter.count("k"));
        assertEquals(0, reporter.count("other"));
    }

    @Test
    void theFirstReportSaysRepeatsAreCountedAndTheExitSummaryGivesTheCount() {
        LogCapture log = LogCapture.start();
        ErrorReporter reporter = new ErrorReporter();
        String key = "rule 'vpn': ENODEV pinning to 'tun0'";
        for (int i = 0; i < 3; i++) {
            reporter.report(key, LogLevel.ERROR, () -> "rule 'vpn' (ifpin.conf:3): cannot pin ...");
        }
        reporter.report("once", LogLevel.ERROR, () -> "a problem that happened once");
        reporter.logSummary();
        assertEquals(List.of(
                "[ifpin] ERROR rule 'vpn' (ifpin.conf:3): cannot pin ... (reported once; repeats are counted)",
                "[ifpin] ERROR a problem that happened once (reported once; repeats are counted)",
                "[ifpin] WARN at exit: 'rule 'vpn': ENODEV pinning to 'tun0'' happened 3 times (first occurrence logged"
                        + " above)"), log.lines());
    }

    @Test
    void anOutageThatKeepsRestartingIsLoggedAFewTimesPerWindowThenCounted() {
        LogCapture log = LogCapture.start();
        long[] now = {0};
        ErrorReporter reporter = new ErrorReporter(() -> now[0]);
        io.ifpin.metrics.RuleOutages outages = new io.ifpin.metrics.RuleOutages();
        String key = "rule 'svc': EPERM pinning to 'b0'";
        for (int i = 0; i < 20; i++) {
            reporter.pinFailed(outages, key, "EPERM", "b0", LogLevel.ERROR, () -> "cannot pin");
            reporter.pinWorks(outages, "svc", "b0");
        }
        List<String> lines = log.lines();
        int limit = ErrorReporter.OUTAGES_LOGGED_PER_WINDOW;
        assertEquals(limit, lines.stream().filter(l -> l.startsWith("[ifpin] ERROR cannot pin")).count(), lines.toString());
        assertEquals(limit, lines.stream().filter(l -> l.startsWith("[ifpin] INFO rule 'svc': pinning to 'b0' works again")).count(), lines.toString());
        assertEquals(1, lines.stream().filter(l -> l.startsWith("[ifpin] WARN " + key + ": more than " + limit
                + " outages in 10 minutes")).count(), lines.toString());
        assertEquals(20, outages.started());
        now[0] += java.util.concurrent.TimeUnit.MINUTES.toNanos(ErrorReporter.WINDOW_MINUTES);
        LogCapture later = LogCapture.start();
        reporter.pinFailed(outages, key, "EPERM", "b0", LogLevel.ERROR, () -> "cannot pin");
        assertEquals(List.of("[ifpin] ERROR cannot pin (reported once per outage; repeats are counted until pinning to"
                + " 'b0' works again)"), later.lines());
    }
}
