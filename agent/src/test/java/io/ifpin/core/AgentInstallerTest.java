package io.ifpin.core;

import io.ifpin.log.LogCapture;
import io.ifpin.os.Errno;
import io.ifpin.os.ErrnoException;
import io.ifpin.os.SocketOptions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AgentInstallerTest {

    /** if_nameindex() fails (no memory, a seccomp filter): startup goes on with a warning and no interface list. */
    @Test
    void interfacesThatCannotBeListedAreAWarningNotAFailure() {
        SocketOptions failing = new SocketOptions() {
            @Override
            public String boundDevice(int fd) {
                return "";
            }

            @Override
            public void bindToDevice(int fd, String interfaceName) {
            }

            @Override
            public String localAddress(int fd) {
                return "?";
            }

            @Override
            public List<String> interfaceNames() throws ErrnoException {
                throw new ErrnoException("if_nameindex", Errno.ENOBUFS);
            }
        };
        LogCapture log = LogCapture.start();
        assertEquals(List.of(), AgentInstaller.interfaceNames(failing));
        assertEquals(List.of("[ifpin] WARN cannot list interfaces: if_nameindex: ENOBUFS (No buffer space available)"),
                log.lines());
    }
}
