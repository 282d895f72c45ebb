# Least-privilege roles. The execution role (ECS agent) may pull images, write the
# services' log groups and read exactly the secrets the task definitions name; each
# service's task role may only use the Kafka cluster (IAM auth) for the topics and its own
# consumer groups.

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${var.name}-ecs-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "PullImages"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    resources = var.repository_arns
  }
  statement {
    sid       = "EcrToken"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # the action has no resource-level permissions
  }
  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [for arn in var.log_group_arns : "${arn}:*"]
  }
  statement {
    sid       = "ReadSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = var.secret_arns
  }
  statement {
    sid       = "DecryptSecrets"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

locals {
  # arn:aws:kafka:region:account:cluster/name/uuid -> the topic and group ARN prefixes.
  topic_prefix = replace(var.msk_cluster_arn, ":cluster/", ":topic/")
  group_prefix = replace(var.msk_cluster_arn, ":cluster/", ":group/")
}

resource "aws_iam_role" "task" {
  for_each           = toset(var.services)
  name               = "${var.name}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "task" {
  for_each = toset(var.services)
  statement {
    sid       = "Connect"
    actions   = ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"]
    resources = [var.msk_cluster_arn]
  }
  statement {
    sid = "Topics"
    actions = [
      "kafka-cluster:DescribeTopic",
      "kafka-cluster:ReadData",
      "kafka-cluster:WriteData",
    ]
    # Every registry topic and its dead-letter topics; the registry decides who writes what.
    resources = ["${local.topic_prefix}/*"]
  }
  statement {
    sid       = "OwnConsumerGroups"
    actions   = ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"]
    resources = ["${local.group_prefix}/${each.key}*"]
  }
  statement {
    sid       = "IdempotentProducer"
    actions   = ["kafka-cluster:WriteDataIdempotently"]
    resources = [var.msk_cluster_arn]
  }
}

resource "aws_iam_role_policy" "task" {
  for_each = toset(var.services)
  name     = "kafka"
  role     = aws_iam_role.task[each.key].id
  policy   = data.aws_iam_policy_document.task[each.key].json
}
