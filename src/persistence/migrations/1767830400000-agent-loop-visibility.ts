import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * LLM agents in the open: a transcript line carries what produced it (the tool calls an
 * agent's model made, the tokens the turn used), and a handoff can be a request for approval
 * of one tool call, whose summary people decide on.
 */
export class AgentLoopVisibility1767830400000 implements MigrationInterface {
  name = 'AgentLoopVisibility1767830400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('conversation_messages', new TableColumn({ name: 'metadata', type: 'text', isNullable: true }));
    await queryRunner.addColumn('handoffs', new TableColumn({ name: 'request', type: 'text', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('handoffs', 'request');
    await queryRunner.dropColumn('conversation_messages', 'metadata');
  }
}
