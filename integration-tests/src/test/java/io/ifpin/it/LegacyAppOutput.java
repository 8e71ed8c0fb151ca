package io.ifpin.it;

import io.ifpin.demo.cases.Cases;
import io.ifpin.demo.cases.SocketCase;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Parses LegacyApp's stdout: one {@code <case> <protocol> <result> [verdict]} line per case. */
public final class LegacyAppOutput {

    private static final Set<String> CASE_NAMES = Cases.all().stream().map(SocketCase::name).collect(Collectors.toSet());

    /** The whole grammar of a LegacyApp line; anything else on stdout did not come from LegacyApp. */
    private static final Pattern LINE = Pattern.compile(
            "^(?<name>[a-z0-9-]+) (?<protocol>tcp|udp) (?<result>PEER (?<ip>\\S+) (?<port>\\d+)|ERROR .*?|n/a)(?: (?<verdict>OK|MISS|SKIP))?$");

    private LegacyAppOutput() {
    }

    /** One parsed line. {@code peerIp} is empty unless the case reached the server. */
    public record CaseLine(String name, String protocol, String result, Optional<String> peerIp, Optional<Integer> peerPort) {
        public boolean notApplicable() {
            return result.equals(SocketCase.NOT_APPLICABLE);
        }
    }

    /** True if the line is exactly what LegacyApp prints for one of its cases. */
    public static boolean isLegacyAppLine(String line) {
        Matcher m = LINE.matcher(line);
        return m.matches() && CASE_NAMES.contains(m.group("name"));
    }

    public static Map<String, CaseLine> parse(List<String> stdout) {
        Map<String, CaseLine> byName = new LinkedHashMap<>();
        for (String line : stdout) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            byName.put(m.group("name"), new CaseLine(m.group("name"), m.group("protocol"), m.group("result"),
                    Optional.ofNullable(m.group("ip")), Optional.ofNullable(m.group("port")).map(Integer::valueOf)));
        }
        return byName;
    }
}
