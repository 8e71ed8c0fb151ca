package io.ifpin.core;

import io.ifpin.log.IfpinLog;
import io.ifpin.os.LinuxSocketsFfm;
import io.ifpin.os.LinuxSocketsJna;
import io.ifpin.os.NetlinkRoutes;
import io.ifpin.os.Routes;
import io.ifpin.os.SocketOptions;

/**
 * How ifpin makes its system calls: on Java 22+ all of them through the Foreign Function API, from a module ifpin
 * grants native access itself, so JNA is not loaded (no JVM warning, no {@code java.util.logging}, no
 * {@code ldconfig} child process; docs/dev/architecture.md, "Native calls"); before Java 22 through JNA.
 * {@code -Difpin.native=jna} keeps JNA on any Java (a way out should FFM misbehave on some JDK; on Java 24+ the JVM
 * then warns about JNA's {@code System::load} again); {@code -Difpin.native=ffm} asks for FFM and warns when it
 * cannot have it.
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

    /**
     * FFM when chosen and usable, else JNA; throws what JNA throws when it cannot load (FFM's failure then is in
     * the debug line, or the warning of {@code -Difpin.native=ffm}).
     */
    static SocketOptions load(Choice choice) {
        if (choice == Choice.JNA) {
            return LinuxSocketsJna.load();
        }
        try {
            SocketOptions ffm = LinuxSocketsFfm.load();
            IfpinLog.debug("system calls through the Foreign Function API, native access "
                    + LinuxSocketsFfm.nativeAccess() + "; JNA is not loaded");
            return ffm;
        } catch (Throwable t) {
            String message = "system calls through JNA: the Foreign Function API is not usable ("
                    + (t instanceof UnsupportedOperationException ? t.getMessage() : t.toString()) + ")";
            if (choice == Choice.FFM) {
                IfpinLog.warn("-D" + PROPERTY + "=ffm: " + message + ". Pinning works the same, about 0.5 µs slower"
                        + " per pinned socket. Fix: run on Java 22 or later, or remove -D" + PROPERTY + ".");
            } else {
                IfpinLog.debug(message);
            }
            return LinuxSocketsJna.load();
        }
    }

    /** rtnetlink through the same API as {@code sockets}: JNA is not loaded for it when the sockets use FFM. */
    static Routes routes(SocketOptions sockets) {
        return sockets instanceof LinuxSocketsFfm ffm ? ffm.routes() : NetlinkRoutes.jna();
    }
}
