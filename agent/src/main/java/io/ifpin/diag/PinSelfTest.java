package io.ifpin.diag;

import io.ifpin.os.ErrnoException;
import io.ifpin.os.SocketOptions;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The startup self-test: per interface the rules name, open one throwaway unconnected UDP socket, pin it with
 * {@code SO_BINDTODEVICE} exactly as a real socket would be, and close it. Nothing is sent. The result says up front
 * whether pinning works here ({@code OK}), or fails and why ({@code ENODEV}: no such interface now; {@code EPERM}:
 * refused by a policy or, before Linux 5.7, missing {@code CAP_NET_RAW}), instead of at the application's first
 * connect. Runs once at startup, on {@code ifpin-init} (docs/dev/architecture.md, "Startup order"), never on the socket
 * path.
 */
public final class PinSelfTest {

    private PinSelfTest() {
    }

    /** Interface name to {@code OK} or the errno's name, in the order given. */
    public static Map<String, String> run(SocketOptions sockets, Set<String> interfaces) {
        Map<String, String> results = new LinkedHashMap<>();
        if (interfaces.isEmpty()) {
            return results;
        }
        for (String name : interfaces) {
            int fd;
            try {
                fd = sockets.openProbeSocket();
            } catch (ErrnoException e) {
                results.put(name, "cannot open a probe socket: " + e.errnoName());
                continue;
            }
            try {
                sockets.bindToDevice(fd, name);
                results.put(name, "OK");
            } catch (ErrnoException e) {
                results.put(name, e.errnoName());
            } finally {
                sockets.closeProbeSocket(fd);
            }
        }
        return results;
    }
}
