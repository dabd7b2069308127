/**
 * Every migration, oldest first. Registered as classes rather than a glob so the same list
 * works from ts-jest and from compiled dist/. TypeORM orders by the 13-digit timestamp that
 * ends each class name; append new ones here as 0002-..., with a larger timestamp.
 */
import type { MigrationInterface } from 'typeorm';
import { Initial1767225600001 } from './0001-initial';

export const MIGRATIONS: (new () => MigrationInterface)[] = [Initial1767225600001];
