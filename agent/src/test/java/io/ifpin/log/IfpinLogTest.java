package io.ifpin.log;

import io.ifpin.log.LogLevel;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The log's own messages and its line format. */
class IfpinLogTest {

    @Test
    void everyLineOfAMultiLineMessageCarriesThePrefix() {
        LogCapture log = LogCapture.start();
        IfpinLog.error("first\nsecond\n\tat third");
        assertEquals(List.of("[ifpin] ERROR first", "[ifpin] ERROR second", "[ifpin] ERROR \tat third"), log.lines());
    }

    @Test
    void levelsBelowTheConfiguredOneAreNotWritten() {
        LogCapture log = LogCapture.start();
        IfpinLog.debug("not at info level");
        IfpinLog.warn("a warning");
        assertEquals(List.of("[ifpin] WARN a warning"), log.lines());
    }

    /**
     * An application thread that is interrupted (a cancelled task) and logs (a pin failure on its connect) must not
     * close the log file for everyone: a FileChannel closes itself when written on an interrupted thread.
     */
    @Test
    void anInterruptedThreadThatLogsKeepsTheLogFileAndItsInterrupt() {
        LogCapture log = LogCapture.start();
        Thread.currentThread().interrupt();
        IfpinLog.error("while interrupted");
        assertTrue(Thread.interrupted(), "the thread's interrupt is kept");
        IfpinLog.error("after");
        assertEquals(List.of("[ifpin] ERROR while interrupted", "[ifpin] ERROR after"), log.lines());
    }

    /**
     * A path under a regular file cannot be opened, also by root (permissions would not stop root). The message goes
     * to stderr, and (as {@code configure} keeps a log file that is already open) to the capture file, where this
     * test reads it.
     */
    @Test
    void aLogFileThatCannotBeOpenedIsReportedOnce() throws Exception {
        LogCapture log = LogCapture.start();
        Path regularFile = Files.createTempFile("ifpin-not-a-dir", "");
        try {
            Path logFile = regularFile.resolve("ifpin.log");
            IfpinLog.configure(LogLevel.INFO, logFile);
            assertEquals(List.of("[ifpin] ERROR cannot open log file " + logFile + " (java.nio.file.FileSystemException: "
                    + logFile + ": Not a directory); logging to stderr only. Fix: make ifpin.log.file a path the"
                    + " application's user can write."), log.lines());
        } finally {
            Files.delete(regularFile);
        }
    }
}
