/** Activity implementations; their contracts live in domain/contracts/. */
export { createPersistenceActivities, type PersistenceDeps } from './persistence';
