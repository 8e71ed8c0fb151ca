package io.ifpin.core;

import io.ifpin.log.IfpinLog;

import java.text.MessageFormat;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What JNA's calls to {@code java.util.logging} become in ifpin's copy of JNA (the build rewrites them,
 * {@code io.ifpin.build.JnaLoggingRewriter}): JNA's static initialisers call {@code Logger.getLogger}, which
 * initialises the JDK's {@code LogManager} on ifpin's thread before the application could choose its own
 * ({@code java.util.logging.manager}; docs/dev/architecture.md, "Startup order"). Here no {@code Logger} is ever made:
 * {@link #getLogger} returns null and the instance methods take that null as their first argument. JNA's messages
 * go to ifpin's debug log instead.
 */
public final class JnaLogging {

    private JnaLogging() {
    }

    /** For {@code Logger.getLogger(String)}: no logger, so no {@code LogManager}. */
    public static Logger getLogger(String name) {
        return null;
    }

    /** For {@code logger.isLoggable(Level)}. */
    public static boolean isLoggable(Logger logger, Level level) {
        return IfpinLog.isEnabled(io.ifpin.log.LogLevel.DEBUG);
    }

    /** For {@code logger.log(Level, String)}. */
    public static void log(Logger logger, Level level, String message) {
        debug(level, message, null, null);
    }

    /** For {@code logger.log(Level, String, Object)}. */
    public static void log(Logger logger, Level level, String message, Object parameter) {
        debug(level, message, new Object[] {parameter}, null);
    }

    /** For {@code logger.log(Level, String, Object[])}. */
    public static void log(Logger logger, Level level, String message, Object[] parameters) {
        debug(level, message, parameters, null);
    }

    /** For {@code logger.log(Level, String, Throwable)}. */
    public static void log(Logger logger, Level level, String message, Throwable thrown) {
        debug(level, message, null, thrown);
    }

    private static void debug(Level level, String message, Object[] parameters, Throwable thrown) {
        if (!IfpinLog.isEnabled(io.ifpin.log.LogLevel.DEBUG)) {
            return;
        }
        String text = message;
        if (parameters != null && message != null) {
            try {
                text = MessageFormat.format(message, parameters);
            } catch (IllegalArgumentException e) {
                // not a pattern after all: the message as it is
            }
        }
        IfpinLog.debug("JNA " + (level == null ? "" : level.getName()) + ": " + text
                + (thrown == null ? "" : " (" + thrown + ")"));
    }
}
