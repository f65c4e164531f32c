#include "migrate/config/tls.hpp"

#include <gtest/gtest.h>

using namespace migrate::config;

namespace {

Tls tls(SslMode mode, const std::string& ca = {}) {
  Tls out;
  out.mode = mode;
  out.ca = ca;
  return out;
}

} // namespace

TEST(TlsPlan, DisableAsksForNothing) {
  const auto plan = plan_tls(tls(SslMode::disable, "/ca.pem"));
  EXPECT_FALSE(plan.offer);
  EXPECT_FALSE(plan.must_encrypt);
  EXPECT_FALSE(plan.verify_ca);
}

TEST(TlsPlan, PreferOffersButAcceptsPlainTextAndNeverVerifies) {
  const auto plan = plan_tls(tls(SslMode::prefer, "/ca.pem"));
  EXPECT_TRUE(plan.offer);
  EXPECT_FALSE(plan.must_encrypt);
  EXPECT_FALSE(plan.verify_ca);
  EXPECT_FALSE(plan.verify_host);
}

TEST(TlsPlan, RequireInsistsAndChecksTheCaOnlyWhenOneIsGiven) {
  EXPECT_TRUE(plan_tls(tls(SslMode::require)).must_encrypt);
  EXPECT_FALSE(plan_tls(tls(SslMode::require)).verify_ca);
  EXPECT_TRUE(plan_tls(tls(SslMode::require, "/ca.pem")).verify_ca);
  EXPECT_FALSE(plan_tls(tls(SslMode::require, "/ca.pem")).verify_host);
}

TEST(TlsPlan, VerifyCaChecksTheChainAndVerifyFullAlsoTheHost) {
  const auto ca = plan_tls(tls(SslMode::verify_ca, "/ca.pem"));
  EXPECT_TRUE(ca.must_encrypt && ca.verify_ca);
  EXPECT_FALSE(ca.verify_host);
  const auto full = plan_tls(tls(SslMode::verify_full, "/ca.pem"));
  EXPECT_TRUE(full.must_encrypt && full.verify_ca && full.verify_host);
}

TEST(TlsWarning, OnlyForPlainTextLeavingTheMachine) {
  EXPECT_TRUE(warn_unencrypted("db.example.com", false));
  EXPECT_TRUE(warn_unencrypted("10.0.0.5", false));
  EXPECT_FALSE(warn_unencrypted("db.example.com", true));
  EXPECT_FALSE(warn_unencrypted("127.0.0.1", false));
  EXPECT_FALSE(warn_unencrypted("127.1.2.3", false));
  EXPECT_FALSE(warn_unencrypted("localhost", false));
  EXPECT_FALSE(warn_unencrypted("::1", false));
  EXPECT_TRUE(warn_unencrypted("127.example.com", false)) << "a name, not an address";
}

TEST(TlsDescription, NamesVersionAndCipherOrSaysUnencrypted) {
  EXPECT_EQ(describe_encryption("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
            "TLSv1.3 TLS_AES_256_GCM_SHA384");
  EXPECT_EQ(describe_encryption("", "TLS_AES_256_GCM_SHA384"), "TLS_AES_256_GCM_SHA384");
  EXPECT_EQ(describe_encryption("TLSv1.3", ""), "unencrypted");
}

TEST(TlsFailureHint, SaysWhatVerificationChecked) {
  EXPECT_EQ(tls_failure_hint(tls(SslMode::verify_full, "/etc/ca.pem"), "db"),
            " (ssl_mode verify-full: the server's certificate must be signed by the CA in "
            "/etc/ca.pem and name the host 'db')");
  EXPECT_EQ(tls_failure_hint(tls(SslMode::verify_ca, "/etc/ca.pem"), "db"),
            " (ssl_mode verify-ca: the server's certificate must be signed by the CA in "
            "/etc/ca.pem)");
  EXPECT_EQ(tls_failure_hint(tls(SslMode::require), "db"), "");
}
