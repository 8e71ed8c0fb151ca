package io.ifpin.diag;

import io.ifpin.os.Errno;
import io.ifpin.os.ErrnoException;
import io.ifpin.os.SocketOptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PinSelfTestTest {

    @Test
    void reportsOkOrTheErrnoPerInterfaceAndClosesEveryProbe() {
        List<String> calls = new ArrayList<>();
        SocketOptions sockets = new SocketOptions() {
            private int next = 40;

            @Override
            public String boundDevice(int fd) {
                return "";
            }

            @Override
            public void bindToDevice(int fd, String interfaceName) throws ErrnoException {
                calls.add("set " + fd + " " + interfaceName);
                if (interfaceName.equals("nosuch0")) {
                    throw new ErrnoException("setsockopt", Errno.ENODEV);
                }
                if (interfaceName.equals("locked0")) {
                    throw new ErrnoException("setsockopt", Errno.EPERM);
                }
            }

            @Override
            public String localAddress(int fd) {
                return "?";
            }

            @Override
            public List<String> interfaceNames() {
                return List.of();
            }

            @Override
            public int openProbeSocket() {
                calls.add("open " + next);
                return next++;
            }

            @Override
            public void closeProbeSocket(int fd) {
                calls.add("close " + fd);
            }
        };
        Map<String, String> results = PinSelfTest.run(sockets,
                new LinkedHashSet<>(List.of("b0", "nosuch0", "locked0")));
        assertEquals(Map.of("b0", "OK", "nosuch0", "ENODEV", "locked0", "EPERM"), results);
        assertEquals(List.of("open 40", "set 40 b0", "close 40", "open 41", "set 41 nosuch0", "close 41",
                "open 42", "set 42 locked0", "close 42"), calls);
    }

    @Test
    void noRulesNoProbe() {
        assertEquals(Map.of(), PinSelfTest.run(new SocketOptions() {
            @Override
            public String boundDevice(int fd) {
                throw new AssertionError();
            }

            @Override
            public void bindToDevice(int fd, String interfaceName) {
                throw new AssertionError();
            }

            @Override
            public String localAddress(int fd) {
                return "?";
            }

            @Override
            public List<String> interfaceNames() {
                return List.of();
            }
        }, new LinkedHashSet<>()));
    }
}
