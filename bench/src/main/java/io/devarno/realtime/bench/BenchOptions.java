package io.devarno.realtime.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Command-line options of the load generator. */
final class BenchOptions {

    static final String USAGE = """
            usage: LoadGenerator <idle|unicast|broadcast|storm> [options]

            Connections
              --instances URLS        comma list of WebSocket base URLs (ws://host:port, /ws appended when no path)
                                      [ws://127.0.0.1:8085]
              --users N               distinct users [unicast 1000; idle/broadcast: connections / tabs]
              --tabs T                connections per user, spread over the instances [unicast 2, else 1]
              --connections C         total connections (idle, broadcast) [1000]
              --user-prefix P         user ids are P0, P1, ... [bench-]
              --connect-rate R        new connections per second, paced [1000]
              --max-inflight N        handshakes in flight at most [256]
              --source-addresses IPS  comma list of local addresses to bind (127.0.0.1,127.0.0.2,...): each gives
                                      ~28k ephemeral ports per server port, needed beyond ~28k connections
              --event-loops N         client event loops [number of CPUs]
              --v2                    unicast: offer protocol v2 (realtime.v2), check the envelopes' data as above
                                      and that each tab's offsets strictly increase (publish via rest to record)
            Identity (default: trusted-header mode, X-User-ID: <user>)
              --header 'Name: value'  extra upgrade header, repeatable; {user} is replaced by the user id
              --token-file FILE       lines '<userId> <jwt>': users come from the file, sent as Authorization: Bearer
              --jwt-key FILE          PKCS#8 private key (PEM or DER): mint an RS256 token per user (sub = user id)
              --jwt-issuer ISS, --jwt-audience AUD, --jwt-ttl SECONDS [3600]
              --no-user-header        do not send X-User-ID (jwt mode where the gateway sets nothing)
            Publishing
              --rate R                offered messages per second, paced every millisecond [unicast 1000, broadcast 10]
              --payload-size B        payload bytes (padded JSON) [100]
              --publish-via redis|rest                                     [redis]
              --redis URL             redis://[:password@]host:port   [redis://127.0.0.1:6379]
              --rest URLS             comma list of http base URLs for the REST API [derived from --instances]
              --rest-header 'Name: value'  header on REST publishes (e.g. Authorization: Bearer <jwt>), repeatable
              --channel-prefix P      Redis pub/sub channel prefix (realtime.pubsub.prefix) [realtime:]
              --publishers N          publishing connections (user u always uses lane u mod N, keeping per-user
                                      order) [redis 2, rest 8; broadcast 1]
            Timing (seconds; every phase is bounded)
              --duration S            measured phase: publishing (unicast/broadcast) or holding (idle) [30]
              --warmup S              publishing before the measured phase, not in latency/CPU figures [5]
              --settle S              wait after connecting, before baselines/publishing [5]
              --drain S               wait after the last publish for deliveries in flight [5]
              --connect-timeout S     per handshake [10]
            Connect storm (storm: --connections clients, one tab each, connect at once, all close, all reconnect,
            --waves times, while --steady-users tabs stay open and get --rate msgs/s [200] through Redis)
              --waves N               waves; the first is cold when the server was just started [3]
              --steady-users N        tabs kept open through the storm (delivery latency, heartbeats) [200]
              --spread S              first attempts of a wave spread evenly over S seconds; 0: all at once [0]
              --hold S                connected clients stay this long before they all close [5]
              --pause S               between a wave's closes and the next wave [5]
              --quiet S               before the first wave: the server's CPU rate with only the steady tabs [5]
              --wave-timeout S        a wave ends, connected or not, after this long [120]
              --slow-log-ms N         print each delivery slower than N ms with the wall-clock time, to match it
                                      with a GC log or a trace of the server [0: off]
              --steady-nice N         nice value of the steady tabs' event loop and of the publisher thread (e.g.
                                      -10; needs root): on a generator short of CPU, the storm's own clients then
                                      do not delay what is measured [0: unchanged]
              --presence-prefix P     presence keys, checked for ghosts after the last wave; '' skips [presence:]
              A refused upgrade is retried after its Retry-After (x 1-2, random), any other failure after 1-2 s;
              --max-inflight bounds concurrent handshakes [storm 4096].
            Measuring
              --server-pid PIDS       comma list of service PIDs on this host: RSS (/proc/PID/status) and CPU
                                      (/proc/PID/stat utime+stime) before/after
              --metrics-header 'Name: value'  header for /q/metrics scrapes, repeatable
              --no-metrics            do not scrape /q/metrics
              --json-out FILE         also append the JSON result line to FILE
              --seed N                random seed [42]
            """;

    String scenario;
    List<URI> instances = new ArrayList<>(List.of(URI.create("ws://127.0.0.1:8085/ws")));
    int users = -1;
    int tabs = -1;
    int connections = -1;
    String userPrefix = "bench-";
    double connectRate = 1000;
    int maxInflight = 256;
    boolean maxInflightSet;
    List<String> sourceAddresses = new ArrayList<>();
    int eventLoops = Runtime.getRuntime().availableProcessors();
    List<String> headers = new ArrayList<>();
    String tokenFile;
    String jwtKey;
    String jwtIssuer;
    String jwtAudience;
    long jwtTtl = 3600;
    boolean userHeader = true;
    boolean v2;
    double rate = -1;
    int payloadSize = 100;
    String publishVia = "redis";
    URI redis = URI.create("redis://127.0.0.1:6379");
    List<URI> rest = new ArrayList<>();
    List<String> restHeaders = new ArrayList<>();
    int publishers = -1;
    String channelPrefix = "realtime:";
    double duration = 30;
    double warmup = 5;
    double settle = 5;
    double drain = 5;
    double connectTimeout = 10;
    List<Long> serverPids = new ArrayList<>();
    List<String> metricsHeaders = new ArrayList<>();
    boolean metrics = true;
    String jsonOut;
    long seed = 42;
    int waves = 3;
    int steadyUsers = 200;
    double spread = 0;
    double hold = 5;
    double pause = 5;
    double quiet = 5;
    double waveTimeout = 120;
    int steadyNice = 0;
    int slowLogMs = 0;
    String presencePrefix = "presence:";

    static BenchOptions parse(String[] args) {
        BenchOptions o = new BenchOptions();
        List<String> a = new ArrayList<>();
        for (String arg : args) {
            // exec:java passes -Dexec.args as one string split on spaces; allow --key=value too
            if (arg.startsWith("--") && arg.contains("=")) {
                a.add(arg.substring(0, arg.indexOf('=')));
                a.add(arg.substring(arg.indexOf('=') + 1));
            } else {
                a.add(arg);
            }
        }
        if (a.isEmpty() || a.contains("--help") || a.contains("-h")) {
            throw new UsageException(null);
        }
        o.scenario = a.get(0).toLowerCase(Locale.ROOT);
        if (!List.of("idle", "unicast", "broadcast", "storm").contains(o.scenario)) {
            throw new UsageException("unknown scenario '" + a.get(0) + "'");
        }
        for (int i = 1; i < a.size(); i++) {
            String key = a.get(i);
            if (key.equals("--no-metrics")) {
                o.metrics = false;
                continue;
            }
            if (key.equals("--no-user-header")) {
                o.userHeader = false;
                continue;
            }
            if (key.equals("--v2")) {
                o.v2 = true;
                continue;
            }
            if (i + 1 >= a.size()) {
                throw new UsageException("missing value for " + key);
            }
            String v = a.get(++i);
            try {
                switch (key) {
                    case "--instances" ->
                        o.instances = list(v).stream().map(BenchOptions::wsUri).toList();
                    case "--users" -> o.users = Integer.parseInt(v);
                    case "--tabs" -> o.tabs = Integer.parseInt(v);
                    case "--connections" -> o.connections = Integer.parseInt(v);
                    case "--user-prefix" -> o.userPrefix = v;
                    case "--connect-rate" -> o.connectRate = Double.parseDouble(v);
                    case "--max-inflight" -> {
                        o.maxInflight = Integer.parseInt(v);
                        o.maxInflightSet = true;
                    }
                    case "--source-addresses" -> o.sourceAddresses = list(v);
                    case "--event-loops" -> o.eventLoops = Integer.parseInt(v);
                    case "--header" -> o.headers.add(header(v));
                    case "--token-file" -> o.tokenFile = v;
                    case "--jwt-key" -> o.jwtKey = v;
                    case "--jwt-issuer" -> o.jwtIssuer = v;
                    case "--jwt-audience" -> o.jwtAudience = v;
                    case "--jwt-ttl" -> o.jwtTtl = Long.parseLong(v);
                    case "--rate" -> o.rate = Double.parseDouble(v);
                    case "--payload-size" -> o.payloadSize = Integer.parseInt(v);
                    case "--publish-via" -> o.publishVia = v.toLowerCase(Locale.ROOT);
                    case "--redis" -> o.redis = URI.create(v);
                    case "--rest" -> o.rest = list(v).stream().map(URI::create).toList();
                    case "--rest-header" -> o.restHeaders.add(header(v));
                    case "--channel-prefix" -> o.channelPrefix = v;
                    case "--publishers" -> o.publishers = Integer.parseInt(v);
                    case "--duration" -> o.duration = Double.parseDouble(v);
                    case "--warmup" -> o.warmup = Double.parseDouble(v);
                    case "--settle" -> o.settle = Double.parseDouble(v);
                    case "--drain" -> o.drain = Double.parseDouble(v);
                    case "--connect-timeout" -> o.connectTimeout = Double.parseDouble(v);
                    case "--server-pid" ->
                        o.serverPids = list(v).stream().map(Long::parseLong).toList();
                    case "--metrics-header" -> o.metricsHeaders.add(header(v));
                    case "--json-out" -> o.jsonOut = v;
                    case "--seed" -> o.seed = Long.parseLong(v);
                    case "--waves" -> o.waves = Integer.parseInt(v);
                    case "--steady-users" -> o.steadyUsers = Integer.parseInt(v);
                    case "--spread" -> o.spread = Double.parseDouble(v);
                    case "--hold" -> o.hold = Double.parseDouble(v);
                    case "--pause" -> o.pause = Double.parseDouble(v);
                    case "--quiet" -> o.quiet = Double.parseDouble(v);
                    case "--wave-timeout" -> o.waveTimeout = Double.parseDouble(v);
                    case "--steady-nice" -> o.steadyNice = Integer.parseInt(v);
                    case "--slow-log-ms" -> o.slowLogMs = Integer.parseInt(v);
                    case "--presence-prefix" -> o.presencePrefix = v;
                    default -> throw new UsageException("unknown option " + key);
                }
            } catch (NumberFormatException e) {
                throw new UsageException("bad value for " + key + ": " + v);
            }
        }
        o.applyDefaults();
        return o;
    }

    private void applyDefaults() {
        boolean unicast = scenario.equals("unicast");
        if (scenario.equals("storm")) {
            tabs = 1;
            users = connections < 0 ? 1000 : connections;
            rate = rate < 0 ? 200 : rate;
            maxInflight = maxInflightSet ? maxInflight : 4096;
            if (waves < 1 || steadyUsers < 1 || spread < 0 || hold < 0 || pause < 0 || quiet <= 0 || waveTimeout <= 0) {
                throw new UsageException("--waves and --steady-users must be positive, timings not negative");
            }
        }
        if (tabs < 0) {
            tabs = unicast ? 2 : 1;
        }
        if (users < 0) {
            users = unicast ? 1000 : (int) Math.ceil((connections < 0 ? 1000 : connections) / (double) tabs);
        }
        if (rate < 0) {
            rate = unicast ? 1000 : 10;
        }
        if (publishers < 0) {
            publishers = publishVia.equals("rest") ? 8 : 2;
        }
        if (scenario.equals("broadcast")) {
            publishers = 1; // one global sequence: one ordered lane
        }
        if (rest.isEmpty()) {
            rest = instances.stream()
                    .map(u ->
                            URI.create((u.getScheme().equals("wss") ? "https" : "http") + "://" + u.getRawAuthority()))
                    .toList();
        }
        if (v2 && !unicast) {
            throw new UsageException("--v2 is for the unicast scenario");
        }
        if (!publishVia.equals("redis") && !publishVia.equals("rest")) {
            throw new UsageException("--publish-via must be redis or rest");
        }
        if (users < 1
                || tabs < 1
                || connectRate <= 0
                || maxInflight < 1
                || publishers < 1
                || rate <= 0
                || duration <= 0
                || payloadSize < 64) {
            throw new UsageException(
                    "users, tabs, rates, publishers and duration must be positive; --payload-size >= 64");
        }
    }

    /** Total connections: users x tabs (for idle/broadcast --connections caps it). */
    int totalConnections() {
        long all = (long) users * tabs;
        return (int) (connections > 0 ? Math.min(all, connections) : all);
    }

    /** The same options for another set of users, one tab each (the storm's steady tabs and storm clients). */
    BenchOptions forUsers(int count, String prefix) {
        BenchOptions copy = new BenchOptions();
        copy.scenario = scenario;
        copy.instances = instances;
        copy.users = count;
        copy.tabs = 1;
        copy.userPrefix = prefix;
        copy.connectRate = connectRate;
        copy.maxInflight = maxInflight;
        copy.sourceAddresses = sourceAddresses;
        copy.eventLoops = eventLoops;
        copy.headers = headers;
        copy.jwtKey = jwtKey;
        copy.jwtIssuer = jwtIssuer;
        copy.jwtAudience = jwtAudience;
        copy.jwtTtl = jwtTtl;
        copy.userHeader = userHeader;
        copy.payloadSize = payloadSize;
        copy.connectTimeout = connectTimeout;
        copy.slowLogMs = slowLogMs;
        return copy;
    }

    /** A bound on the whole run, for the watchdog. */
    double maxRunSeconds() {
        if (scenario.equals("storm")) {
            return steadyUsers / connectRate
                    + connectTimeout
                    + 30
                    + settle
                    + quiet
                    + waves * (waveTimeout + 1 + hold + 30 + pause)
                    + drain
                    + 60
                    + 120;
        }
        return totalConnections() / connectRate + connectTimeout + 30 + settle + warmup + duration + drain + 120;
    }

    List<URI> httpBases() {
        return instances.stream()
                .map(u -> URI.create((u.getScheme().equals("wss") ? "https" : "http") + "://" + u.getRawAuthority()))
                .toList();
    }

    private static URI wsUri(String s) {
        URI u = URI.create(s);
        String path = u.getRawPath() == null
                        || u.getRawPath().isEmpty()
                        || u.getRawPath().equals("/")
                ? "/ws"
                : u.getRawPath();
        return URI.create(u.getScheme() + "://" + u.getRawAuthority() + path
                + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()));
    }

    private static List<String> list(String v) {
        return new ArrayList<>(Arrays.stream(v.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList());
    }

    private static String header(String v) {
        if (v.indexOf(':') < 1) {
            throw new UsageException("header must be 'Name: value': " + v);
        }
        return v;
    }

    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
