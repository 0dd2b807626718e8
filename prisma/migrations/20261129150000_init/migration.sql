-- CreateEnum
CREATE TYPE "SecurityEventType" AS ENUM ('FailedACL', 'InvalidAccountID', 'SessionLimit', 'MemoryLimit', 'LoadAverageLimit', 'RequestNotSupported', 'RequestNotAllowed', 'AuthMethodNotAllowed', 'RequestBadFormat', 'SuccessfulAuth', 'UnexpectedAddress', 'ChallengeResponseFailed', 'InvalidPassword', 'ChallengeSent', 'InvalidTransport');

-- CreateEnum
CREATE TYPE "EventSource" AS ENUM ('security', 'notice', 'ami');

-- CreateEnum
CREATE TYPE "BanScope" AS ENUM ('fleet', 'host');

-- CreateEnum
CREATE TYPE "BanOrigin" AS ENUM ('automatic', 'manual', 'import');

-- CreateEnum
CREATE TYPE "BanChangeOp" AS ENUM ('add', 'remove');

-- CreateEnum
CREATE TYPE "AllowlistScope" AS ENUM ('global', 'agent');

-- CreateEnum
CREATE TYPE "ApiTokenRole" AS ENUM ('admin', 'viewer');

-- CreateTable
CREATE TABLE "agents" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "hostname" TEXT,
    "version" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "applied_seq" BIGINT NOT NULL DEFAULT 0,
    "report" JSONB,

    CONSTRAINT "agents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "security_events" (
    "id" BIGSERIAL NOT NULL,
    "agent_id" INTEGER NOT NULL,
    "time" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "type" "SecurityEventType" NOT NULL,
    "failure" BOOLEAN NOT NULL,
    "ip" INET NOT NULL,
    "port" INTEGER,
    "transport" TEXT,
    "service" TEXT,
    "account" TEXT,
    "session" TEXT,
    "local_address" TEXT,
    "source" "EventSource" NOT NULL,

    CONSTRAINT "security_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ingest_batches" (
    "agent_id" INTEGER NOT NULL,
    "batch_id" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "event_count" INTEGER NOT NULL,

    CONSTRAINT "ingest_batches_pkey" PRIMARY KEY ("agent_id","batch_id")
);

-- CreateTable
CREATE TABLE "pending_evaluations" (
    "id" BIGSERIAL NOT NULL,
    "agent_id" INTEGER NOT NULL,
    "ips" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pending_evaluations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "jails" (
    "name" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "config" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "jails_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "bans" (
    "id" BIGSERIAL NOT NULL,
    "target" INET NOT NULL,
    "jail" TEXT,
    "scope" "BanScope" NOT NULL DEFAULT 'fleet',
    "agent_id" INTEGER,
    "origin" "BanOrigin" NOT NULL,
    "reason" TEXT NOT NULL,
    "level" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "lifted_at" TIMESTAMPTZ(3),
    "lift_reason" TEXT,
    "created_by" TEXT,
    "lifted_by" TEXT,
    "evidence" JSONB,

    CONSTRAINT "bans_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ban_changes" (
    "seq" BIGSERIAL NOT NULL,
    "ban_id" BIGINT NOT NULL,
    "op" "BanChangeOp" NOT NULL,
    "target" INET NOT NULL,
    "agent_id" INTEGER,
    "expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ban_changes_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "allowlist_entries" (
    "id" SERIAL NOT NULL,
    "cidr" INET NOT NULL,
    "scope" "AllowlistScope" NOT NULL DEFAULT 'global',
    "agent_id" INTEGER,
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT,

    CONSTRAINT "allowlist_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "role" "ApiTokenRole" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_entries" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT,
    "details" JSONB,
    "remote_address" TEXT,

    CONSTRAINT "audit_entries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "agents_name_key" ON "agents"("name");

-- CreateIndex
CREATE UNIQUE INDEX "agents_token_hash_key" ON "agents"("token_hash");

-- CreateIndex
CREATE INDEX "security_events_ip_time_idx" ON "security_events"("ip", "time");

-- CreateIndex
CREATE INDEX "security_events_agent_id_time_idx" ON "security_events"("agent_id", "time");

-- CreateIndex
CREATE INDEX "security_events_time_idx" ON "security_events"("time");

-- CreateIndex
CREATE INDEX "ingest_batches_received_at_idx" ON "ingest_batches"("received_at");

-- CreateIndex
CREATE INDEX "pending_evaluations_created_at_idx" ON "pending_evaluations"("created_at");

-- CreateIndex
CREATE INDEX "bans_target_idx" ON "bans"("target");

-- CreateIndex
CREATE INDEX "bans_expires_at_idx" ON "bans"("expires_at");

-- CreateIndex
CREATE INDEX "bans_jail_created_at_idx" ON "bans"("jail", "created_at");

-- CreateIndex
CREATE INDEX "ban_changes_ban_id_idx" ON "ban_changes"("ban_id");

-- CreateIndex
CREATE INDEX "allowlist_entries_cidr_idx" ON "allowlist_entries"("cidr");

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_name_key" ON "api_tokens"("name");

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "audit_entries_at_idx" ON "audit_entries"("at");

-- AddForeignKey
ALTER TABLE "security_events" ADD CONSTRAINT "security_events_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ingest_batches" ADD CONSTRAINT "ingest_batches_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pending_evaluations" ADD CONSTRAINT "pending_evaluations_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bans" ADD CONSTRAINT "bans_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ban_changes" ADD CONSTRAINT "ban_changes_ban_id_fkey" FOREIGN KEY ("ban_id") REFERENCES "bans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "allowlist_entries" ADD CONSTRAINT "allowlist_entries_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Beyond what schema.prisma can express: at most one active ban per target and scope, so an evaluation
-- that runs twice (retries, two workers) cannot create two bans; and a GiST index for containment
-- lookups (is this IP inside any active ban or allowlist entry?).
CREATE UNIQUE INDEX "bans_active_target_key" ON "bans"("target", COALESCE("agent_id", 0)) WHERE "lifted_at" IS NULL;
CREATE INDEX "bans_active_target_gist" ON "bans" USING gist ("target" inet_ops) WHERE "lifted_at" IS NULL;
CREATE INDEX "allowlist_entries_cidr_gist" ON "allowlist_entries" USING gist ("cidr" inet_ops);
