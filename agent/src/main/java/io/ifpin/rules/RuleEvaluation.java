package io.ifpin.rules;

/**
 * Why a rule did or did not match one destination, condition by condition: what {@code explain} prints. Built on
 * the cold path only; the hot path uses {@link Rule#matches}.
 *
 * @param matchedHost the host pattern that matched the requested name, or null
 * @param matchedCidr the CIDR that contains the address, or null
 * @param portAllowed the port is in the rule's ports (true when the rule has none, or no port was given)
 * @param protocolAllowed the protocol is one of the rule's protocols
 */
public record RuleEvaluation(Rule rule, String matchedHost, String matchedCidr, boolean portAllowed,
                             boolean protocolAllowed) {

    public boolean matches() {
        return (matchedHost != null || matchedCidr != null) && portAllowed && protocolAllowed;
    }

    /** One line: the reason for the verdict, naming each condition that decided it. */
    public String reason(String address, String requestedHost, int port, Protocol protocol) {
        StringBuilder text = new StringBuilder();
        if (matchedHost != null) {
            text.append("host ").append(requestedHost).append(" matches ").append(matchedHost);
        } else if (matchedCidr != null) {
            text.append(address).append(" is in ").append(matchedCidr);
        } else {
            text.append("neither ");
            text.append(rule.hosts().isEmpty() ? "hosts (none)" : requestedHost == null
                    ? "hosts " + rule.hosts() + " (a literal address has no name)"
                    : "hosts " + rule.hosts() + " (name " + requestedHost + ")");
            text.append(" nor ").append(rule.cidrs().isEmpty() ? "cidrs (none)" : "cidrs " + rule.cidrs()
                    + " (address " + address + ")").append(" match");
        }
        text.append("; port ").append(port < 0 ? "not given" : String.valueOf(port))
                .append(portAllowed ? " allowed" : " not in [" + rule.ports() + "]")
                .append(rule.ports().isAll() ? " (all ports)" : "");
        text.append("; ").append(protocol.label()).append(protocolAllowed ? " allowed" : " not in "
                + rule.protocols().stream().map(Protocol::label).toList());
        return text.toString();
    }
}
