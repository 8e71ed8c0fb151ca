package io.ifpin.core;

import io.ifpin.log.LogCapture;
import io.ifpin.os.Errno;
import io.ifpin.os.ErrnoException;
import io.ifpin.os.SocketOptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentInstallerTest {

    /** ifpin-init may outlive a short-lived application; a failure while the JVM exits is not reported as an ERROR. */
    @Test
    void knowsWhenTheJvmIsExiting() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), ShutdownProbeMain.class.getName()).redirectErrorStream(true)
                .start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals("main: false\nhook: true\n", out);
    }

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
        assertEquals(List.of(), StartupReport.interfaceNames(failing));
        assertEquals(List.of("[ifpin] WARN cannot list interfaces: if_nameindex: ENOBUFS (No buffer space available)"),
                log.lines());
    }

    /** A failure on ifpin-init must not widen the policy: deny and fail-closed rules still refuse. */
    @Test
    void afterAFailureOnIfpinInitDenyAndFailClosedRulesStillRefuse() throws Exception {
        io.ifpin.config.IfpinConfig config = io.ifpin.config.ConfigLoader.parse("ifpin.rules = ["
                + "{ name = no, cidrs = [\"203.0.113.1/32\"], action = deny },"
                + "{ name = closed, cidrs = [\"203.0.113.2/32\"], interface = b0, on-error = fail-closed },"
                + "{ name = open, cidrs = [\"203.0.113.3/32\"], interface = b0 } ]", "test.conf");
        io.ifpin.pin.Pinner pinner = AgentInstaller.policyWithoutPinning(config, new io.ifpin.pin.ErrorReporter(),
                new io.ifpin.metrics.Metrics());
        java.io.FileDescriptor fd = new java.io.FileDescriptor();
        java.lang.reflect.Field field = java.io.FileDescriptor.class.getDeclaredField("fd");
        field.setAccessible(true);
        field.setInt(fd, 0); // any valid-looking descriptor: nothing is called on it
        org.junit.jupiter.api.Assertions.assertThrows(java.net.ConnectException.class,
                () -> pinner.beforeTcpConnect(fd, java.net.InetAddress.getByName("203.0.113.1"), 80));
        org.junit.jupiter.api.Assertions.assertThrows(java.net.ConnectException.class,
                () -> pinner.beforeTcpConnect(fd, java.net.InetAddress.getByName("203.0.113.2"), 80));
        pinner.beforeTcpConnect(fd, java.net.InetAddress.getByName("203.0.113.3"), 80); // fail-open: proceeds
    }
}
