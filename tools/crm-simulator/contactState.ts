import { applyContactChanges, emptyContactState, type ContactState } from '../../core/mapping/contactState';

/**
 * The custom CRM's contacts, merged with the product's own order-independence rule (sticky
 * flags, newest timestamps, increments once per record id), as a well-behaved CRM would.
 */
export class ContactStates {
	private states = new Map<string, ContactState>();

	apply(contactId: string, changes: Record<string, unknown>, recordId: string): void {
		const state = this.states.get(contactId) ?? emptyContactState();
		this.states.set(contactId, applyContactChanges(state, { id: recordId, contactChanges: changes }));
	}

	snapshot(): Map<string, Record<string, unknown>> {
		return new Map([...this.states].map(([id, state]) => [id, { ...state.fields }]));
	}

	clear(): void {
		this.states.clear();
	}
}
