package io.ifpin.core;

import io.ifpin.log.IfpinLog;
import io.ifpin.os.LinuxSocketsFfm;
import io.ifpin.os.LinuxSocketsJna;
import io.ifpin.os.SocketOptions;

/**
 * How ifpin makes its system calls: through JNA on every Java, and on Java 22+ through the Foreign Function API for
 * the two calls of every pin, which cost about 0.5 µs less each there (docs/performance.md, "JNA or the Foreign
 * Function API"). {@code -Difpin.native=jna} keeps JNA (a way out should FFM misbehave on some JDK);
 * {@code -Difpin.native=ffm} asks for FFM and warns when it cannot have it.
 */
final class NativeCalls {

    static final String PROPERTY = "ifpin.native";

    enum Choice {
        /** FFM where the JDK has it and its check passes, else JNA; FFM's absence is not worth a warning. */
        AUTO,
        JNA,
        FFM;

        static final String ALLOWED = "auto, jna, ffm";

        /** Null or empty is {@link #AUTO}. */
        static Choice parse(String text) {
            if (text == null || text.isEmpty()) {
                return AUTO;
            }
            for (Choice choice : values()) {
                if (choice.name().equalsIgnoreCase(text)) {
                    return choice;
                }
            }
            throw new IllegalArgumentException("unknown value; allowed: " + ALLOWED);
        }
    }

    private NativeCalls() {
    }

    /** JNA, with FFM over it when chosen and usable; throws what JNA throws when it cannot load. */
    static SocketOptions load(Choice choice) {
        SocketOptions jna = LinuxSocketsJna.load();
        if (choice == Choice.JNA) {
            return jna;
        }
        try {
            return LinuxSocketsFfm.over(jna);
        } catch (Throwable t) {
            String message = "system calls through JNA: the Foreign Function API is not usable ("
                    + (t instanceof UnsupportedOperationException ? t.getMessage() : t.toString()) + ")";
            if (choice == Choice.FFM) {
                IfpinLog.warn("-D" + PROPERTY + "=ffm: " + message + ". Pinning works the same, about 0.5 µs slower"
                        + " per pinned socket. Fix: run on Java 22 or later, or remove -D" + PROPERTY + ".");
            } else {
                IfpinLog.debug(message);
            }
            return jna;
        }
    }
}
