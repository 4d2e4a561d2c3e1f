/**
 * The standard steps `datamap init` writes for each shipped provider pack. Data only: the same
 * shapes as the shipped maps (mappings/field-service-to-*.yaml). A pack without a recipe gets one
 * step with its first money-moving operation.
 */

/** A path or query parameter of a recipe step. */
export interface InitParamRecipe {
  /** A fixed expression. */
  expression?: string;
  /** Otherwise matched against the sample: the value's JSON types and extra synonyms (normalized). */
  types?: string[];
  alsoNames?: string[];
  /** What to write in the `$todo` when nothing matches. */
  todo?: string;
}

/** One step `datamap init` writes. */
export interface InitStepRecipe {
  id: string;
  operation: string;
  description?: string;
  when?: string;
  params?: Record<string, InitParamRecipe>;
  /** Request fields (dotted paths) always set to these expressions, required or not. */
  set?: Record<string, string>;
  /** Request fields set to these expressions when no sample field matches. */
  fallback?: Record<string, string>;
  /** Request fields written with the same expression as an earlier step's parameter (`<step>.params.<name>`). */
  sameAs?: Record<string, string>;
  /** Optional request fields filled in when a sample field matches. */
  optional?: string[];
  /** Extra synonyms (normalized) per request field path. */
  alsoNames?: Record<string, string[]>;
  /** Context words (normalized) of the step's subject, e.g. `customer` for a client. */
  subject?: string[];
  output?: string;
  /** A YAML comment written above the step. */
  comment?: string;
}

/** A setting the starter map declares (written under `settings:`). */
export interface InitSettingRecipe {
  description: string;
  env: string;
  secret?: boolean;
  example: string;
}

/** The steps and result of a provider's starter Data Map. */
export interface InitRecipe {
  steps: InitStepRecipe[];
  result: string;
  /** Settings the steps read as $settings.<name>. */
  settings?: Record<string, InitSettingRecipe>;
}

// `$string($key)` is written as `$key` when the sample's key field is a string.
export const RECIPES: Record<string, InitRecipe> = {
  revolv3: {
    steps: [
      {
        id: 'sale',
        operation: 'payments.sale',
        description: 'Authorize and capture in one call with the card on the record.',
        comment: 'The record key is the merchantInvoiceRefId: the only reference by which a sale whose outcome is\n' +
          'unknown can be reconciled, so a re-run of the same record must send the same one.',
        set: {
          'invoice.merchantInvoiceRefId': '$string($key)',
          'invoice.amount.currency': '"USD"',
        },
        optional: [
          'paymentMethod.creditCard.securityCode',
          'paymentMethod.billingFirstName',
          'paymentMethod.billingLastName',
          'paymentMethod.billingAddress.addressLine1',
          'paymentMethod.billingAddress.addressLine2',
          'paymentMethod.billingAddress.city',
          'paymentMethod.billingAddress.state',
          'paymentMethod.billingAddress.postalCode',
          'paymentMethod.billingAddress.country',
          'paymentMethod.billingAddress.email',
        ],
        subject: ['customer', 'billing'],
        output: '{ "invoiceId": invoiceId, "status": invoiceStatus, "paymentMethodId": paymentMethodId }',
      },
    ],
    result: '{ "key": $key, "revolv3InvoiceId": $steps.sale.invoiceId, "status": $steps.sale.status }',
  },
  invoiss: {
    steps: [
      {
        id: 'findClient',
        operation: 'clients.find',
        description: 'Look the customer up by its id in the host system.',
        params: {
          externalId: { types: ['string'], alsoNames: ['customerid', 'clientid', 'customerexternalid', 'customerref'], todo: 'the id of the customer in your system' },
        },
        output: '{ "clientId": $[0].id, "matches": $count($) }',
      },
      {
        id: 'createClient',
        operation: 'clients.create',
        description: 'Create the client only when the search found none.',
        when: '$steps.findClient.matches = 0',
        // the client is created with the external id it is looked up by, so the next run finds it
        sameAs: { externalId: 'findClient.params.externalId' },
        optional: ['externalId', 'email', 'phone'],
        alsoNames: { externalId: ['customerid', 'clientid', 'customerexternalid', 'customerref'] },
        subject: ['customer', 'client'],
        output: '{ "clientId": id }',
      },
      {
        id: 'order',
        operation: 'orders.create',
        description: 'Create an INVOICE order from the record\'s lines.',
        comment: 'Exactly one of the two client steps produced an id: the found one, else the created one.',
        set: {
          client: '$steps.findClient.clientId ?: $steps.createClient.clientId',
          type: '"INVOICE"',
          externalId: '$string($key)',
        },
        output: '{ "id": id, "grandTotal": grandTotal }',
      },
      {
        id: 'payment',
        operation: 'payments.process',
        description: 'Process a CARD payment for the order; paymentId comes from the key so a re-run is recognised.',
        set: {
          method: '"CARD"',
          type: '"INVOICE"',
          'order.id': '$steps.order.id',
          'order.grandTotal': '$steps.order.grandTotal',
          orderId: '$steps.order.id',
          paymentId: '"pay-" & $key',
          'company.id': '$settings.companyId',
          signature: '$settings.signature',
          'gateway.id': '$settings.gatewayId',
          status: '$settings.paymentStatus',
        },
        fallback: { amount: '$steps.order.grandTotal' },
        comment: 'amount is what the record says is due; it should equal the order\'s grandTotal (the sum of its\n' +
          'lineItems). If the record\'s total also holds tax or shipping, add them as lines, or pay $steps.order.grandTotal.',
        output: '{ "success": success, "message": message }',
      },
    ],
    result: '{ "key": $key, "clientId": $steps.findClient.clientId ?: $steps.createClient.clientId, "orderId": $steps.order.id, "success": $steps.payment.success, "message": $steps.payment.message }',
    settings: {
      companyId: { description: 'Your Invoiss company id (sent as company.id)', env: 'INVOISS_COMPANY_ID', example: 'comp_example' },
      signature: { description: 'The digital signature Invoiss expects for the transaction (its algorithm is not documented)', env: 'INVOISS_SIGNATURE', secret: true, example: 'signature-example' },
      gatewayId: { description: 'Your Invoiss payment gateway id (sent as gateway.id)', env: 'INVOISS_GATEWAY_ID', example: 'gateway_example' },
      paymentStatus: { description: 'The status recorded with the payment (the docs\' example is COMPLETED)', env: 'INVOISS_PAYMENT_STATUS', example: 'COMPLETED' },
    },
  },
};
