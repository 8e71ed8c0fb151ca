package io.ifpin.dns;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real JDK's cache, reached as the agent reaches it (surefire opens java.net and exports sun.net as
 * AgentInstaller.openJavaBase does): the fields exist, and an evicted name is looked up again.
 */
class JdkAddressCacheTest {

    @Test
    void anAnswerInTheJdksCacheIsRemovedAndThePolicyIsTheJdks() throws Exception {
        JdkAddressCache cache = JdkAddressCache.open();
        assertEquals(30, cache.positivePolicySeconds(), "networkaddress.cache.ttl's default (no property set)");
        InetAddress.getAllByName("localhost"); // the hosts file or the system resolver: no DNS query leaves
        assertTrue(cache.holds("localhost"));
        assertEquals(ShortTtlExpiry.Eviction.REMOVED, cache.evict("localhost"));
        assertFalse(cache.holds("localhost"), "the next lookup asks again");
        assertEquals(ShortTtlExpiry.Eviction.ABSENT, cache.evict("localhost"));
    }
}
