#!/usr/bin/env bash
# Makes the bundled Kafka's secrets once, into deploy/kafka-secrets/ (never committed; .gitignore
# keeps it out): a CA, the broker's TLS key and certificate (signed by the CA), SCRAM-SHA-512
# passwords for the broker's admin, the allocator and the speakers, and each process's Kafka client
# properties. kustomization.yaml turns them into the Secrets ledgerlb-kafka-broker,
# ledgerlb-kafka-allocator and ledgerlb-kafka-speaker.
#   deploy/kafka-secrets.sh [namespace]        (default: metallb-system)
set -euo pipefail
namespace=${1:-metallb-system}
out=$(dirname "$0")/kafka-secrets
if [ -e "$out/ca.crt" ]; then
    echo "$out exists already: delete it to make new secrets (every client then needs the new ones)" >&2
    exit 1
fi
mkdir -p "$out"
umask 077
host=ledgerlb-kafka-0.ledgerlb-kafka
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 -subj /CN=ledgerlb-kafka-ca \
    -keyout "$out/ca.key" -out "$out/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$host" \
    -keyout "$out/broker.key" -out "$out/broker.csr" 2>/dev/null
printf 'subjectAltName=DNS:%s,DNS:%s.%s.svc,DNS:%s.%s.svc.cluster.local\n' "$host" "$host" "$namespace" "$host" "$namespace" > "$out/broker.ext"
openssl x509 -req -in "$out/broker.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial -days 825 \
    -extfile "$out/broker.ext" -out "$out/broker.crt" 2>/dev/null
# Kafka reads a PEM keystore: the PKCS#8 key, then the certificate chain
cat "$out/broker.key" "$out/broker.crt" > "$out/broker.pem"
rm "$out/broker.csr" "$out/broker.ext" "$out/broker.key"
for user in admin allocator speaker; do
    openssl rand -hex 24 > "$out/$user.password"
done
for user in allocator speaker; do
    cat > "$out/$user.properties" <<PROPERTIES
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="ledgerlb-$user" password="$(cat "$out/$user.password")";
ssl.truststore.type=PEM
ssl.truststore.location=/etc/ledgerlb/kafka/ca.crt
PROPERTIES
done
echo "made $out (keep ca.key offline; it is not put into any Secret)"
