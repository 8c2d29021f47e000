package io.ledgerlb.ledger.testing;

import io.ledgerlb.ledger.Ledger;
import io.ledgerlb.ledger.kafka.KafkaLedger;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands a test method (or constructor) a fresh {@link KafkaLedger} (or {@link Ledger}) on the
 * shared embedded broker of {@link LedgerFixture}, on topics of its own, and closes it after.
 *
 * <pre>{@code
 * @ExtendWith(LedgerExtension.class)
 * class AllocatorLedgerTest {
 *     @Test void appends(KafkaLedger ledger) throws Exception { ... }
 * }
 * }</pre>
 */
public final class LedgerExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == KafkaLedger.class || type == Ledger.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        String name = context.getTestMethod().map(m -> m.getName()).orElse(context.getDisplayName());
        KafkaLedger ledger = LedgerFixture.open(name);
        context.getStore(ExtensionContext.Namespace.create(LedgerExtension.class, parameter.getIndex()))
                .put("ledger", ledger); // closed by JUnit after the test: the store closes AutoCloseable values
        return ledger;
    }
}
