package io.ledgerlb.allocator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ledgerlb.allocator.controller.ConformanceTable.Apply;
import io.ledgerlb.allocator.controller.ConformanceTable.Case;
import io.ledgerlb.allocator.controller.ConformanceTable.Check;
import io.ledgerlb.allocator.controller.ConformanceTable.DefinePool;
import io.ledgerlb.allocator.controller.ConformanceTable.Delete;
import io.ledgerlb.allocator.controller.ConformanceTable.Expect;
import io.ledgerlb.allocator.controller.ConformanceTable.RemovePool;
import io.ledgerlb.allocator.controller.ConformanceTable.Scenario;
import io.ledgerlb.allocator.controller.ConformanceTable.Svc;
import io.ledgerlb.ledger.state.ServiceKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * MetalLB's allocator and controller test tables ({@link MetalLbCases}), case by case, through the
 * pure step with the controller's rules ({@link PureDriver}) and through the real controller (mock
 * API in CRUD mode, real Kafka: {@link ControllerDriver}). Each dynamic test is named after the
 * MetalLB test and row it comes from.
 */
class MetalLbConformanceTest {

    @TestFactory
    Stream<DynamicNode> pureStep() {
        return MetalLbCases.all().stream().map(s -> scenario(s, PureDriver::new));
    }

    @TestFactory
    Stream<DynamicNode> realController() {
        return MetalLbCases.all().stream().map(s -> scenario(s, ControllerDriver::new));
    }

    /** The cases of a scenario in order on one driver, opened before the first and closed after the last. */
    private static DynamicContainer scenario(Scenario scenario, Callable<ConformanceDriver> open) {
        ConformanceDriver[] driver = {null};
        List<DynamicNode> tests = new ArrayList<>();
        List<Case> cases = scenario.cases();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            boolean last = i == cases.size() - 1;
            tests.add(DynamicTest.dynamicTest(c.metallbSource() + " — " + c.description(), () -> {
                try {
                    if (driver[0] == null) {
                        driver[0] = open.call();
                    }
                    run(driver[0], c);
                } finally {
                    if (last && driver[0] != null) {
                        driver[0].close();
                    }
                }
            }));
        }
        return DynamicContainer.dynamicContainer(scenario.name(), tests);
    }

    private static void run(ConformanceDriver driver, Case c) throws Exception {
        if (c.step() instanceof DefinePool d) {
            driver.definePool(d.pool());
        } else if (c.step() instanceof RemovePool r) {
            driver.removePool(r.name());
        } else if (c.step() instanceof Apply a) {
            List<String> before = driver.holds(a.svc().key());
            driver.markEvents(a.svc().key());
            boolean refused = driver.apply(a.svc());
            check(driver, c, a.svc().key(), refused, a.expect());
            checkEvents(driver, c, a.svc(), before, a.expect());
        } else if (c.step() instanceof Delete d) {
            driver.delete(d.key());
            check(driver, c, d.key(), false, d.expect());
        } else if (c.step() instanceof Check k) {
            check(driver, c, k.key(), false, k.expect());
        }
    }

    /**
     * The Events written on the applied Service: those MetalLB's controller writes are there (reason
     * and type, case exact), and no Warning that MetalLB's would not write (its controller tests
     * check that a Warning is logged exactly when the row expects an error). ledgerlb may add
     * Normal Events of its own (ClearAssignment for every release).
     */
    private static void checkEvents(ConformanceDriver driver, Case c, Svc svc, List<String> before, Expect expect) {
        if (expect.refused() == null && expect.events() == null) {
            return; // still waiting: refused again or not
        }
        ServiceKey key = svc.key();
        if (driver.eventsSinceMark(key).isEmpty()) {
            return; // the pure step writes no Events
        }
        List<String> expected = expect.events() != null ? expect.events() : usualEvents(svc, before, expect);
        await().atMost(ControllerDriver.WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).untilAsserted(() -> assertThat(driver.eventsSinceMark(key).orElseThrow())
                .as("%s: Events on %s", c.description(), key).containsAll(expected));
        assertThat(driver.eventsSinceMark(key).orElseThrow()).as("%s: Warning Events on %s", c.description(), key)
                .filteredOn(e -> e.startsWith("Warning ")).allMatch(expected::contains);
    }

    /**
     * What MetalLB's controller (controller/service.go, main.go) writes on an applied Service:
     * {@code AllocationFailed} when it is refused; {@code IPAllocated} when it gets IPs it did not
     * hold, and then {@code deprecatedAnnotation} for each annotation under the old prefix.
     */
    static List<String> usualEvents(Svc svc, List<String> before, Expect expect) {
        List<String> events = new ArrayList<>();
        if (Boolean.TRUE.equals(expect.refused())) {
            events.add("Warning AllocationFailed");
        } else if (!expect.holds().isEmpty() && !expect.holds().equals(before)) {
            events.add("Normal IPAllocated");
            svc.annotations().keySet().stream().filter(k -> k.startsWith("metallb.universe.tf/"))
                    .forEach(k -> events.add("Warning deprecatedAnnotation"));
        }
        return events;
    }

    private static void check(ConformanceDriver driver, Case c, ServiceKey key, boolean refused, Expect expect) {
        if (expect.refused() != null) {
            assertThat(refused).as("%s: refused", c.description()).isEqualTo(expect.refused());
        }
        assertThat(driver.holds(key)).as("%s: IPs of %s", c.description(), key).isEqualTo(expect.holds());
        for (Map.Entry<ServiceKey, List<String>> other : expect.others().entrySet()) {
            assertThat(driver.holds(other.getKey())).as("%s: IPs of %s", c.description(), other.getKey())
                    .isEqualTo(other.getValue());
        }
    }
}
