package io.ifpin.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * {@link NetnsLab} as a class's extension takes its lab down when a test of the class fails and when the class's own
 * {@code @BeforeAll} fails after the lab is up. The two probe classes below fail on purpose; they run only through
 * the launcher here (a configuration parameter enables them), never as tests of their own.
 */
class LabCleanupIT {

    private static final String PROBE = "ifpin.it.lab-cleanup-probe";

    @Test
    void aFailingTestOrBeforeAllLeavesNoNamespaceBehind() {
        ItEnv.requireRoot();
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(FailingTest.class), selectClass(FailingBeforeAll.class))
                .configurationParameter(PROBE, "true")
                .build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();

        assertEquals(2, summary.getTotalFailureCount(), "each probe fails once, on purpose");
        for (TestExecutionSummary.Failure failure : summary.getFailures()) {
            assertEquals("on purpose", failure.getException().getMessage(), failure.getTestIdentifier().toString());
        }
        assertNotNull(FailingTest.labId, "the failing test ran in its lab");
        assertEquals(List.of("READY"), FailingTest.serverLog, "its PeerServer was up");
        assertNotNull(FailingBeforeAll.labId, "the failing @BeforeAll ran with its lab up");
        String namespaces = DemoScriptsIT.namespaces();
        assertFalse(namespaces.contains("ifpin-" + FailingTest.labId + "-"), namespaces);
        assertFalse(namespaces.contains("ifpin-" + FailingBeforeAll.labId + "-"), namespaces);
    }

    /** Enables the probes only when the test above runs them. */
    static final class OnlyAsProbe implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(PROBE).isPresent()
                    ? ConditionEvaluationResult.enabled("run by LabCleanupIT")
                    : ConditionEvaluationResult.disabled("a probe of LabCleanupIT, which runs it");
        }
    }

    @ExtendWith(OnlyAsProbe.class)
    static final class FailingTest {
        @RegisterExtension
        static final NetnsLab lab = NetnsLab.perClass("cln");
        static String labId;
        static List<String> serverLog;

        @Test
        void fails() {
            labId = lab.id();
            serverLog = lab.serverLog();
            throw new AssertionError("on purpose");
        }
    }

    @ExtendWith(OnlyAsProbe.class)
    static final class FailingBeforeAll {
        @RegisterExtension
        static final NetnsLab lab = NetnsLab.perClass("clb");
        static String labId;

        @BeforeAll
        static void failsWithTheLabUp() {
            labId = lab.id();
            throw new IllegalStateException("on purpose");
        }

        @Test
        void neverRuns() {
        }
    }
}
