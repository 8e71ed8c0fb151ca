package io.ifpin.pin;

import io.ifpin.config.LogLevel;
import org.junit.jupiter.api.Test;

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
}
