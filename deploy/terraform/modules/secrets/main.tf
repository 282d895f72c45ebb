# One customer-managed KMS key for the platform's data at rest, and every secret the
# services read. Generated values live in the Terraform state: keep the state in an
# encrypted, access-controlled S3 bucket (environments/staging/README.md).

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

resource "aws_kms_key" "this" {
  description             = "${var.name}: MSK, RDS, ElastiCache, Secrets Manager, CloudWatch Logs"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}

data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_111:A key policy's "*" resource is the key itself; the account root statement is AWS's default key policy
  #checkov:skip=CKV_AWS_356:Same: in a key policy "*" means this key only
  #checkov:skip=CKV_AWS_109:Same: key administration stays with the account, as in AWS's default key policy
  # The account administers the key (the default key policy); CloudWatch Logs may use it
  # for this deployment's log groups only.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "CloudWatchLogs"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${data.aws_region.current.name}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:/${var.name}/*"]
    }
  }
}

resource "random_password" "jwt" {
  length  = 64
  special = false
}

resource "random_password" "admin" {
  length  = 32
  special = false
}

resource "random_password" "metrics" {
  length  = 48
  special = false
}

resource "random_password" "internal" {
  # COLDCHAIN_INTERNAL_TOKEN: the services refuse one shorter than 16 characters.
  length  = 48
  special = false
}

resource "random_password" "redis" {
  # ElastiCache AUTH tokens: 16-128 printable characters, no '@', '"' or '/'.
  length  = 64
  special = false
}

resource "random_password" "postgres" {
  length  = 40
  special = false
}

resource "random_password" "kafka" {
  length  = 40
  special = false
}

locals {
  # Name => value. The services read each as one environment variable (module ecs).
  values = {
    "gateway-jwt-secret"     = random_password.jwt.result
    "gateway-admin-password" = random_password.admin.result
    "gateway-metrics-token"  = random_password.metrics.result
    "internal-token"         = random_password.internal.result
    "redis-auth-token"       = random_password.redis.result
    "postgres-password"      = random_password.postgres.result
  }
}

resource "aws_secretsmanager_secret" "this" {
  for_each = local.values
  #checkov:skip=CKV2_AWS_57:Rotation needs a rotation function per secret kind; rotated by re-applying with a tainted random_password (README, "Rotating secrets")
  name                    = "${var.name}/${each.key}"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "this" {
  for_each      = local.values
  secret_id     = aws_secretsmanager_secret.this[each.key].id
  secret_string = each.value
}

# MSK SASL/SCRAM reads its users from secrets named AmazonMSK_*, encrypted with a CMK.
resource "aws_secretsmanager_secret" "kafka_scram" {
  #checkov:skip=CKV2_AWS_57:SCRAM credentials are rotated by writing a new version and re-associating (README, "Rotating secrets")
  name                    = "AmazonMSK_${var.name}_coldchain"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "kafka_scram" {
  secret_id     = aws_secretsmanager_secret.kafka_scram.id
  secret_string = jsonencode({ username = "coldchain", password = random_password.kafka.result })
}

# Connection strings assembled once the endpoints exist (they carry the passwords).
resource "aws_secretsmanager_secret" "urls" {
  for_each = toset(["database-url", "redis-url"])
  #checkov:skip=CKV2_AWS_57:Derived from the passwords above; rewritten whenever they change
  name                    = "${var.name}/${each.key}"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "database_url" {
  count     = var.database_endpoint == null ? 0 : 1
  secret_id = aws_secretsmanager_secret.urls["database-url"].id
  # TLS to RDS (rds.force_ssl=1 refuses anything else) comes from DATABASE_SSLMODE=verify-full.
  secret_string = "postgresql+asyncpg://coldchain:${random_password.postgres.result}@${var.database_endpoint}/coldchain" # pragma: allowlist secret
}

resource "aws_secretsmanager_secret_version" "redis_url" {
  count         = var.redis_endpoint == null ? 0 : 1
  secret_id     = aws_secretsmanager_secret.urls["redis-url"].id
  secret_string = "rediss://:${random_password.redis.result}@${var.redis_endpoint}:6379/0" # pragma: allowlist secret
}
