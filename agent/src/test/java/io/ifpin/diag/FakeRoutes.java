package io.ifpin.diag;

import io.ifpin.os.ErrnoException;
import io.ifpin.os.NetlinkErrorException;
import io.ifpin.os.Routes;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A routing table the tests write: interfaces, route-get answers per destination, dumps. */
final class FakeRoutes implements Routes {
    final Map<String, Integer> indexes = new HashMap<>();
    final Map<Integer, Link> links = new HashMap<>();
    final Map<Integer, List<String>> addresses = new HashMap<>();
    final Map<String, RouteAnswer> answers = new HashMap<>();
    final Map<String, Integer> errors = new HashMap<>();
    /** errno of a failure to ask at all (no netlink), or 0. */
    int transportErrno;
    final List<Route> routes = new ArrayList<>();
    final List<String> calls = new ArrayList<>();

    FakeRoutes interfaceUp(String name, int index, String... addressList) {
        indexes.put(name, index);
        links.put(index, new Link(index, name, 0x1 | 0x10000));
        addresses.put(index, List.of(addressList));
        return this;
    }

    FakeRoutes link(String name, int index, int flags) {
        indexes.put(name, index);
        links.put(index, new Link(index, name, flags));
        return this;
    }

    /** What route get answers for dst via the interface index. */
    FakeRoutes answer(String dst, int table, String gateway, int oif) throws Exception {
        answers.put(dst, new RouteAnswer(table, 1, gateway == null ? null : InetAddress.getByName(gateway), null, oif));
        return this;
    }

    FakeRoutes error(String dst, int errno) {
        errors.put(dst, errno);
        return this;
    }

    FakeRoutes route(int family, String dst, int prefix, String gateway, int oif, int metric) throws Exception {
        routes.add(new Route(family, 254, 1, dst, prefix, gateway == null ? null : InetAddress.getByName(gateway),
                oif, metric));
        return this;
    }

    @Override
    public int interfaceIndex(String name) {
        calls.add("index " + name);
        return indexes.getOrDefault(name, 0);
    }

    @Override
    public RouteAnswer routeGet(InetAddress destination, int ifIndex) throws ErrnoException, NetlinkErrorException {
        String key = RouteCheck.text(destination);
        calls.add("get " + key + " oif " + ifIndex);
        if (transportErrno != 0) {
            throw new ErrnoException("socket(AF_NETLINK)", transportErrno);
        }
        Integer errno = errors.get(key);
        if (errno != null) {
            throw new NetlinkErrorException("RTM_GETROUTE", errno);
        }
        RouteAnswer answer = answers.get(key);
        if (answer == null) {
            throw new AssertionError("the test gave no answer for " + key);
        }
        return answer;
    }

    @Override
    public List<Route> routes(int family) {
        calls.add("dump " + family);
        return routes.stream().filter(route -> route.family() == family).toList();
    }

    @Override
    public Link link(int ifIndex) {
        return links.get(ifIndex);
    }

    @Override
    public List<String> addresses(int ifIndex) {
        return addresses.getOrDefault(ifIndex, List.of());
    }
}
